package dev.freshet.kinesis.store;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.kinesis.store.StreamState.ShardRead;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.PutRecordResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.PutRecordsResultEntry;
import dev.freshet.sdk.stream.ShardIteratorType;
import dev.freshet.sdk.stream.ShardMetrics;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamMetrics;
import dev.freshet.sdk.stream.errors.InternalFailureException;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.ProvisionedThroughputExceededException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import dev.freshet.sdk.wire.RecordsAnswer;
import java.io.IOException;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The data plane: PutRecord and PutRecords, GetShardIterator and GetRecords (with the per-shard
 * read throttle), the reads of enhanced fan-out subscriptions, and the per-shard traffic counters.
 * Requests are checked by {@link RequestValidation} before they touch a stream.
 */
final class DataPlane {
  private final LocalStreamStore store;
  private final RequestValidation validation;
  private final ShardIterators iterators;
  private final StoreConfig config;

  DataPlane(LocalStreamStore store, RequestValidation validation, ShardIterators iterators) {
    this.store = checkNotNull(store, "store");
    this.validation = checkNotNull(validation, "validation");
    this.iterators = checkNotNull(iterators, "iterators");
    this.config = store.config();
  }

  // ---- writes ----

  PutRecordResult putRecord(String nameOrArn, PutRecordsEntry record,
      @Nullable String sequenceNumberForOrdering) {
    BigInteger[] explicit = {validation.checkRecord(record)};
    validation.checkSequenceNumberForOrdering(sequenceNumberForOrdering);
    StreamState stream = store.dataStream(nameOrArn);
    PutRecordsResult result = stream.put(List.of(record), explicit);
    PutRecordsResultEntry entry = result.records().get(0);
    if (!entry.isSuccessful()) {
      if ("ProvisionedThroughputExceededException".equals(entry.errorCode())) {
        throw new ProvisionedThroughputExceededException(entry.errorMessage());
      }
      throw new InternalFailureException(entry.errorMessage());
    }
    return PutRecordResult.of(entry.shardId(), entry.sequenceNumber(), result.encryptionType());
  }

  PutRecordsResult putRecords(String nameOrArn, List<PutRecordsEntry> records) {
    BigInteger[] explicit = validation.checkBatch(records);
    return store.dataStream(nameOrArn).put(records, explicit);
  }

  // ---- reads ----

  String getShardIterator(String nameOrArn, String shardId, StartingPosition position) {
    checkNotNull(position, "position");
    StreamState stream = store.dataStream(nameOrArn);
    ShardState shard = store.shard(stream, shardId);
    long now = store.now();
    long offset;
    switch (position.type()) {
      case TRIM_HORIZON:
        offset = stream.trimOffset(shard, now);
        break;
      case LATEST:
        offset = shard.log.endOffset();
        break;
      case AT_TIMESTAMP:
        try {
          offset = Math.max(shard.log.offsetForTimestamp(position.timestamp().toEpochMilli()),
              stream.trimOffset(shard, now));
        } catch (IOException e) {
          throw new InternalFailureException("could not read " + shardId + ": " + e, e);
        }
        break;
      case AT_SEQUENCE_NUMBER:
      case AFTER_SEQUENCE_NUMBER:
        String sequenceNumber = position.sequenceNumber();
        SequenceNumbers.checkBelongsTo(sequenceNumber, shard.ordinal, shard.shardId, stream.name);
        long at = Math.max(0, shard.offsetOf(sequenceNumber));
        offset = position.type() == ShardIteratorType.AFTER_SEQUENCE_NUMBER
            ? shard.offsetOf(sequenceNumber) + 1 : at;
        long end = shard.log.endOffset();
        if (offset > end) {
          throw new InvalidArgumentException(String.format(
              "StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under "
                  + "account %s is invalid because it is past the shard's last record.",
              sequenceNumber, shardId, stream.name, config.account()));
        }
        break;
      default:
        throw new InvalidArgumentException("unknown ShardIteratorType " + position.type());
    }
    return iterators.encode(IteratorPosition.of(stream.name, stream.incarnation, shard.ordinal, offset, 0));
  }

  GetRecordsResult getRecords(String shardIterator, int limit) {
    return read(shardIterator, limit, false).records();
  }

  /** GetRecords answered in Freshet's binary layout when the read fits it (see {@link LocalStreamStore#getRecordsAnswer}). */
  RecordsRead getRecordsAnswer(String shardIterator, int limit) {
    return read(shardIterator, limit, true);
  }

  /** The answer in RecordsAnswer's layout if {@code binary} and the read fits it, else the records. */
  private RecordsRead read(String shardIterator, int limit, boolean binary) {
    checkNotNull(shardIterator, "shardIterator");
    store.checkOpen();
    validation.checkGetRecordsLimit(limit);
    IteratorPosition position = iterators.decode(shardIterator);
    StreamState stream = store.dataStream(position.streamName());
    if (stream.incarnation != position.streamIncarnation()) {
      throw new ResourceNotFoundException("the shard iterator belongs to an earlier stream named "
          + stream.name + " that was deleted");
    }
    ShardState shard = stream.shard(position.shardOrdinal());
    if (shard == null) {
      throw new ResourceNotFoundException(String.format("Shard %s in stream %s under account %s "
          + "does not exist (it is past retention)", SequenceNumbers.shardId(position.shardOrdinal()),
          stream.name, config.account()));
    }
    if (shard.throttle != null && (!shard.throttle.readBytesAvailable() || !shard.throttle.tryAcquireRead())) {
      shard.readThrottled.increment();
      throw new ProvisionedThroughputExceededException(String.format(
          "Rate exceeded for shard %s in stream %s under account %s.", shard.shardId, stream.name,
          config.account()));
    }
    long now = store.now();
    RecordsAnswer.Writer answer = null;
    ShardRead read = null;
    if (binary && shard.endingOffset() == null) {
      answer = new RecordsAnswer.Writer(SequenceNumbers.prefix(shard.ordinal),
          SequenceNumbers.OFFSET_DIGITS_AFTER_PREFIX);
      read = stream.readInto(shard, position.offset(), limit, now, answer);
    }
    if (read == null) {
      answer = null; // a record sealed with a stream key: decrypted and answered as records
      read = stream.read(shard, position.offset(), limit, now);
    }
    if (shard.throttle != null) {
      shard.throttle.recordReadBytes(read.bytes());
    }
    String next = read.shardFinished() ? null : iterators.encode(IteratorPosition.of(
        stream.name, stream.incarnation, shard.ordinal, read.nextOffset(), 0));
    if (answer != null) {
      if (next != null) {
        return RecordsRead.binary(answer.finish(next, read.millisBehindLatest()));
      }
      // Closed while this read ran (a reshard): the read that ends the shard names its children,
      // which the binary layout does not carry, so it is read again as records.
      read = stream.read(shard, position.offset(), limit, now);
    }
    return RecordsRead.records(GetRecordsResult.of(read.records(), next, read.millisBehindLatest(),
        read.shardFinished() ? stream.childrenOf(shard) : List.of()));
  }

  /** Reads for a subscription: the same path as GetRecords, without the per-call throttle. */
  ShardRead readForSubscription(StreamState stream, ShardState shard, long offset, int limit) {
    return stream.read(shard, offset, limit, store.now());
  }

  // ---- metrics ----

  StreamMetrics metrics(String nameOrArn) {
    StreamState stream = store.stream(nameOrArn);
    Map<String, ShardMetrics> shards = new LinkedHashMap<>();
    for (ShardState shard : stream.shards()) {
      shards.put(shard.shardId, shard.metrics());
    }
    return StreamMetrics.of(stream.name, shards);
  }
}
