package dev.freshet.sdk.stream;

import java.math.BigInteger;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * The sharded-stream client: the operations of Kinesis Data Streams as a typed Java API.
 *
 * <p>Implemented by the embedded store ({@code dev.freshet.kinesis.store.LocalStreamStore}) and
 * by a remote client that talks to {@code freshet server} or any Kinesis endpoint. Wherever an
 * operation takes a {@code stream}, it accepts the stream's name or its ARN.
 *
 * <p>Errors are {@link dev.freshet.sdk.stream.errors.StreamException}s with the service's names:
 * a missing stream gives {@code ResourceNotFoundException}, bad arguments {@code
 * InvalidArgumentException} or {@code ValidationException} naming what was wrong, a shard over its
 * limits {@code ProvisionedThroughputExceededException}, an old iterator {@code
 * ExpiredIteratorException}. A refused call changes nothing already stored.
 *
 * <p>Implementations are thread-safe.
 */
public interface StreamClient extends AutoCloseable {

  // ---- streams ----

  /** Creates a stream; its shards split the hash-key space evenly. */
  void createStream(CreateStreamRequest request);

  /**
   * Deletes a stream and its records. Refused with {@code ResourceInUseException} while it has
   * registered consumers, unless {@code enforceConsumerDeletion} is set, which deregisters them.
   */
  void deleteStream(String stream, boolean enforceConsumerDeletion);

  /** The stream with all of its shards within retention. */
  StreamDescription describeStream(String stream);

  /** The stream without its shard list. */
  StreamSummary describeStreamSummary(String stream);

  /**
   * One page of streams in name order: the first page when {@code nextToken} is null, of at most
   * {@code limit} (1 to 10,000) streams.
   */
  ListStreamsResult listStreams(@Nullable String nextToken, int limit);

  /** Raises the retention period to {@code hours} (24 to 8,760, not below the current one). */
  void increaseStreamRetentionPeriod(String stream, int hours);

  /**
   * Lowers the retention period to {@code hours} (24 to 8,760, not above the current one); records
   * older than the new period are trimmed at once.
   */
  void decreaseStreamRetentionPeriod(String stream, int hours);

  /** Adds or replaces tags (at most 50 per stream). */
  void addTagsToStream(String stream, Map<String, String> tags);

  void removeTagsFromStream(String stream, Collection<String> tagKeys);

  Map<String, String> listTagsForStream(String stream);

  /** Switches between provisioned and on-demand capacity. */
  void updateStreamMode(String stream, StreamMode mode);

  /** Enables shard-level metrics; returns the set enabled before and after, as {before, after}. */
  List<Set<String>> enableEnhancedMonitoring(String stream, Collection<String> shardLevelMetrics);

  /** Disables shard-level metrics; returns the set enabled before and after, as {before, after}. */
  List<Set<String>> disableEnhancedMonitoring(String stream, Collection<String> shardLevelMetrics);

  /** The shard limit and how much of it is used. */
  StreamLimits describeLimits();

  // ---- shards ----

  /** One page of shards, filtered as asked. */
  ListShardsResult listShards(ListShardsRequest request);

  /**
   * Splits an open shard at {@code newStartingHashKey} into two children: the parent is closed
   * with an ending sequence number and its children take its hash-key range from either side.
   */
  void splitShard(String stream, String shardToSplit, BigInteger newStartingHashKey);

  /** Merges two adjacent open shards into one child; both parents are closed. */
  void mergeShards(String stream, String shardToMerge, String adjacentShardToMerge);

  /**
   * Reshards to {@code targetShardCount} open shards of even ranges (uniform scaling), within the
   * service's bounds of half to double the current count. Returns the previous open shard count.
   */
  int updateShardCount(String stream, int targetShardCount);

  // ---- data ----

  /**
   * Writes one record. With {@code sequenceNumberForOrdering}, the record's sequence number is
   * greater than that one (records of one key are always ordered). A record with a producer id and
   * sequence is written at most once, as described on {@link #putRecords}; a repeat returns the
   * original's shard and sequence number.
   */
  PutRecordResult putRecord(String stream, PutRecordsEntry record, @Nullable String sequenceNumberForOrdering);

  /**
   * Writes up to 500 records (5 MiB in all) in one call. Entries can fail one by one (for example
   * when a shard is over its limit); the result says which, in request order.
   *
   * <p><b>Idempotent writes</b> (a Freshet extension; the service has none). An entry with {@link
   * PutRecordsEntry#withProducer(String, BigInteger) a producer id and sequence} is written to its
   * shard at most once: a Freshet store remembers, per shard and producer, the sequences it wrote,
   * and answers an entry it already holds as a success ({@link PutRecordsResultEntry#duplicate()})
   * with the shard and the original record's sequence number, without appending it again. This holds
   * across restarts of the store (the producer and sequence are stored in the record's frame and the
   * memory is rebuilt from the log) for records still within retention. Rules for the producer:
   *
   * <ul>
   *   <li>Number each producer's records in increasing order, and send a repeat with the same
   *       partition key (or explicit hash key), so that it reaches the same shard. If the stream
   *       was resharded in between, the new shard starts from what its parents knew.
   *   <li>The store keeps the last 2,048 sequences of each producer in each shard exactly; a
   *       sequence at or below the oldest it forgot counts as written. So a record may arrive late
   *       (after a retry, for example) by up to 2,048 newer records of its producer in its shard.
   *   <li>Entries without a producer are plain writes, written every time, as by the service. A
   *       client for the real service must not send producers: the service does not know them.
   * </ul>
   */
  PutRecordsResult putRecords(String stream, List<PutRecordsEntry> records);

  /** An opaque iterator for reading {@code shardId} from {@code position}; it expires after 5 minutes. */
  String getShardIterator(String stream, String shardId, StartingPosition position);

  /**
   * Reads up to {@code limit} (1 to 10,000) records, at most 10 MiB, from an iterator, and returns
   * the iterator to continue with.
   */
  GetRecordsResult getRecords(String shardIterator, int limit);

  // ---- encryption at rest ----

  /** Encrypts records written from now on with {@code keyId} from the key store (AES-256-GCM). */
  void startStreamEncryption(String stream, String keyId);

  /** Stops encrypting new records; records written while it was on stay encrypted and readable. */
  void stopStreamEncryption(String stream);

  // ---- enhanced fan-out ----

  /** Registers a consumer (at most 20 per stream) for push reads with {@link #subscribeToShard}. */
  Consumer registerStreamConsumer(String stream, String consumerName);

  void deregisterStreamConsumer(String consumerArn);

  Consumer describeStreamConsumer(String consumerArn);

  List<Consumer> listStreamConsumers(String stream);

  /**
   * Pushes the records of a shard to {@code subscriber} as they are written, from {@code
   * position}, honouring its demand. The subscription completes after 5 minutes, like the
   * service's; resume with the last event's continuation sequence number. A new subscription of the
   * same consumer and shard replaces this one, which then fails with {@code
   * ResourceInUseException}. Errors in the request itself are thrown from this call.
   */
  void subscribeToShard(
      String consumerArn,
      String shardId,
      StartingPosition position,
      Flow.Subscriber<? super SubscribeToShardEvent> subscriber);

  // ---- metrics ----

  /** The per-shard counters of a stream. */
  StreamMetrics metrics(String stream);

  /** Releases files and threads; acknowledged writes are already durable as configured. */
  @Override
  void close();
}
