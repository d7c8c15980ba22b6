package dev.freshet.kinesis.store;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.LimitExceededException;
import dev.freshet.sdk.stream.errors.ValidationException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Every check of a request's shape and of the service's limits, in one place: names, partition
 * keys, record and batch sizes (1 MiB a record; 1 to 500 records and 5 MiB a batch), explicit hash
 * keys, sequence numbers for ordering, shard ids, page sizes and the shape of ListShards, the
 * retention range, tags, shard-level metric names, key ids, the bounds of UpdateShardCount, and the
 * account's shard, on-demand stream and consumer limits.
 *
 * <p>The store applies these for every caller, in-process or through the server; the server reads
 * the wire format (member types, required members, enum names, each member's length and pattern in
 * the API model) and leaves these checks to the store. Each throws the service's exception with
 * the service's message. Checks that depend on a stream's current state (whether it is ACTIVE,
 * whether a consumer exists, where a shard's range lies) stay with the operation that makes them.
 */
final class RequestValidation {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");
  private static final int MAX_PARTITION_KEY_LENGTH = 256;
  private static final int MAX_RECORD_BYTES = 1 << 20;
  private static final int MAX_BATCH_RECORDS = 500;
  private static final long MAX_BATCH_BYTES = 5L << 20;
  private static final int MAX_READ_LIMIT = 10_000;
  private static final int MAX_LIST_LIMIT = 10_000;
  private static final int MAX_TAGS = 50;
  private static final int MAX_TAG_KEY_LENGTH = 128;
  private static final int MAX_TAG_VALUE_LENGTH = 256;
  private static final int MAX_KEY_ID_LENGTH = 2048;
  private static final int MAX_CONSUMERS = 20;
  private static final int MIN_RETENTION_HOURS = 24;
  private static final int MAX_RETENTION_HOURS = 8760;

  /** The shard-level metrics EnableEnhancedMonitoring accepts; {@code ALL} stands for the others. */
  static final Set<String> SHARD_LEVEL_METRICS = Set.of("IncomingBytes", "IncomingRecords",
      "OutgoingBytes", "OutgoingRecords", "WriteProvisionedThroughputExceeded",
      "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds", "ALL");

  private final StoreConfig config;

  RequestValidation(StoreConfig config) {
    this.config = checkNotNull(config, "config");
  }

  // ---- names and ids ----

  /** A stream or consumer name: 1 to 128 of {@code [a-zA-Z0-9_.-]}. */
  void checkName(String what, @Nullable String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new ValidationException(String.format(
          "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: "
              + "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length "
              + "between 1 and 128", value, what));
    }
  }

  /** A shard id in the service's form, {@code shardId-000000000000}. */
  void checkShardId(@Nullable String shardId) {
    if (shardId == null || !SequenceNumbers.isShardId(shardId)) {
      throw new ValidationException(String.format("1 validation error detected: Value '%s' at "
          + "'shardId' failed to satisfy constraint: Member must be a shard id such as "
          + "shardId-000000000000", shardId));
    }
  }

  // ---- stream settings ----

  /** The shard count of a new stream. */
  void checkShardCount(int shardCount) {
    if (shardCount < 1) {
      throw new InvalidArgumentException("ShardCount must be at least 1, but was: " + shardCount);
    }
  }

  /** A retention period within the service's range, 24 to 8,760 hours. */
  void checkRetentionRange(int hours) {
    if (hours < MIN_RETENTION_HOURS) {
      throw new InvalidArgumentException(String.format(
          "Minimum allowed retention period is %d hours. Requested retention period (%d hours) is too short.",
          MIN_RETENTION_HOURS, hours));
    }
    if (hours > MAX_RETENTION_HOURS) {
      throw new InvalidArgumentException(String.format(
          "Maximum allowed retention period is %d hours. Requested retention period (%d hours) is too long.",
          MAX_RETENTION_HOURS, hours));
    }
  }

  /**
   * Tags to add: at most 50 on the stream once {@code existingOthers} (its tags the request does
   * not replace) are counted, keys of 1 to 128 characters and values of 0 to 256.
   */
  void checkTags(Map<String, String> tags, int existingOthers) {
    if (tags.size() > MAX_TAGS || existingOthers + tags.size() > MAX_TAGS) {
      throw new InvalidArgumentException(String.format(
          "a stream cannot have more than %d tags; this request would give it %d",
          MAX_TAGS, existingOthers + tags.size()));
    }
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      String key = tag.getKey();
      if (key == null || key.isEmpty() || key.length() > MAX_TAG_KEY_LENGTH) {
        throw new InvalidArgumentException("tag key must have 1 to 128 characters, but was: '" + key + "'");
      }
      if (tag.getValue() == null || tag.getValue().length() > MAX_TAG_VALUE_LENGTH) {
        throw new InvalidArgumentException(
            "tag value for key " + key + " must have 0 to 256 characters, but had: "
                + (tag.getValue() == null ? "none" : tag.getValue().length()));
      }
    }
  }

  /** The keys of tags to remove: 1 to 50 of them. */
  void checkTagKeys(Collection<String> tagKeys) {
    if (tagKeys.isEmpty() || tagKeys.size() > MAX_TAGS) {
      throw new InvalidArgumentException("TagKeys must name 1 to 50 keys, but named: " + tagKeys.size());
    }
  }

  /** Shard-level metric names: at least one, each of {@link #SHARD_LEVEL_METRICS}. */
  void checkShardLevelMetrics(Collection<String> metrics) {
    if (metrics.isEmpty()) {
      throw new InvalidArgumentException("ShardLevelMetrics must name at least one metric");
    }
    for (String metric : metrics) {
      if (!SHARD_LEVEL_METRICS.contains(metric)) {
        throw new InvalidArgumentException("ShardLevelMetrics has unknown metric " + metric
            + "; known: " + new java.util.TreeSet<>(SHARD_LEVEL_METRICS));
      }
    }
  }

  /** The key id of StartStreamEncryption: 1 to 2,048 characters. */
  void checkKeyId(@Nullable String keyId) {
    if (keyId == null || keyId.isEmpty() || keyId.length() > MAX_KEY_ID_LENGTH) {
      throw new ValidationException("KeyId must have 1 to 2048 characters");
    }
  }

  /**
   * The shape of a ListShards request: MaxResults of 1 to 10,000, and either a NextToken (without
   * ExclusiveStartShardId) or a stream.
   */
  void checkListShards(ListShardsRequest request) {
    checkNotNull(request, "request");
    Integer max = request.maxResults();
    if (max != null && (max < 1 || max > MAX_LIST_LIMIT)) {
      throw new ValidationException("1 validation error detected: Value '" + max
          + "' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 10000");
    }
    if (request.nextToken() != null) {
      if (request.exclusiveStartShardId() != null) {
        throw new InvalidArgumentException("NextToken and ExclusiveStartShardId cannot be provided together.");
      }
    } else if (request.stream() == null) {
      throw new InvalidArgumentException("Either NextToken or StreamName should be provided.");
    }
  }

  /** The page size of ListStreams: 1 to 10,000. */
  void checkListStreamsLimit(int limit) {
    if (limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new ValidationException("Limit must be between 1 and 10000, but was: " + limit);
    }
  }

  // ---- limits of the account ----

  /** Refuses a request that would open more shards than the account's shard limit allows. */
  void checkShardLimit(int openShards, int additional) {
    if (openShards + additional > config.shardLimit()) {
      throw new LimitExceededException(String.format(
          "This request would exceed the shard limit for the account %s in %s. Current limit of "
              + "shards is %d, %d shards are open. Number of additional shards that would have "
              + "resulted from this request: %d.",
          config.account(), config.region(), config.shardLimit(), openShards, additional));
    }
  }

  /** Refuses one more on-demand stream when {@code onDemandStreams} already reach the limit. */
  void checkOnDemandStreamLimit(int onDemandStreams) {
    if (onDemandStreams >= config.onDemandStreamLimit()) {
      throw new LimitExceededException("This request would exceed the limit of "
          + config.onDemandStreamLimit() + " on-demand streams");
    }
  }

  /** Refuses one more consumer on a stream that already has the most it can have (20). */
  void checkConsumerLimit(String streamName, int consumers) {
    if (consumers >= MAX_CONSUMERS) {
      throw new LimitExceededException(String.format(
          "Stream %s already has %d consumers, the most a stream can have", streamName, MAX_CONSUMERS));
    }
  }

  /**
   * The target of UpdateShardCount against the {@code current} open shard count: at least 1, at
   * most double and at least half of it.
   */
  void checkTargetShardCount(int target, int current) {
    if (target < 1) {
      throw new InvalidArgumentException("TargetShardCount must be at least 1, but was: " + target);
    }
    if (target > current * 2) {
      throw new InvalidArgumentException(String.format(
          "UpdateShardCount cannot scale up over double your current open shard count. Current "
              + "open shard count: %d Target shard count: %d", current, target));
    }
    if (target < (current + 1) / 2) {
      throw new InvalidArgumentException(String.format(
          "UpdateShardCount cannot scale down below half your current open shard count. Current "
              + "open shard count: %d Target shard count: %d", current, target));
    }
  }

  // ---- data ----

  /** Validates the record of PutRecord; returns its explicit hash key, or null. */
  @Nullable BigInteger checkRecord(PutRecordsEntry record) {
    checkNotNull(record, "record");
    return checkEntry(record, "");
  }

  /** A SequenceNumberForOrdering, when given, must be a sequence number. */
  void checkSequenceNumberForOrdering(@Nullable String sequenceNumberForOrdering) {
    if (sequenceNumberForOrdering != null) {
      SequenceNumbers.offset(sequenceNumberForOrdering);
    }
  }

  /**
   * Validates the records of PutRecords: 1 to 500 of them, each valid, at most 5 MiB of data and
   * partition keys in all. Returns their explicit hash keys in request order (null where none).
   */
  @Nullable BigInteger[] checkBatch(List<PutRecordsEntry> records) {
    checkNotNull(records, "records");
    if (records.isEmpty() || records.size() > MAX_BATCH_RECORDS) {
      throw new ValidationException(String.format(
          "1 validation error detected: Value at 'records' failed to satisfy constraint: Member "
              + "must have length between 1 and %d, but had %d", MAX_BATCH_RECORDS, records.size()));
    }
    BigInteger[] explicit = new BigInteger[records.size()];
    long total = 0;
    for (int i = 0; i < records.size(); i++) {
      PutRecordsEntry record = records.get(i);
      explicit[i] = checkEntry(record, "records." + (i + 1) + ".member.");
      total += record.data().length + (long) record.partitionKey().getBytes(StandardCharsets.UTF_8).length;
    }
    if (total > MAX_BATCH_BYTES) {
      throw new InvalidArgumentException(
          "Records size exceeds 5 MB limit: the batch holds " + total + " bytes of data and partition keys");
    }
    return explicit;
  }

  /** Validates one record; {@code where} prefixes member names in messages. */
  private static @Nullable BigInteger checkEntry(PutRecordsEntry record, String where) {
    String key = record.partitionKey();
    int length = key == null ? 0 : key.codePointCount(0, key.length());
    if (length < 1 || length > MAX_PARTITION_KEY_LENGTH) {
      throw new ValidationException(String.format(
          "1 validation error detected: Value at '%spartitionKey' failed to satisfy constraint: "
              + "Member must have length between 1 and 256, but had %d", where, length));
    }
    if (record.data().length > MAX_RECORD_BYTES) {
      throw new ValidationException(String.format(
          "1 validation error detected: Value at '%sdata' failed to satisfy constraint: Member "
              + "must have length less than or equal to 1048576, but had %d", where, record.data().length));
    }
    String explicit = record.explicitHashKey();
    return explicit == null ? null : HashRouter.parseExplicitHashKey(explicit);
  }

  /** The record limit of GetRecords: 1 to 10,000. */
  void checkGetRecordsLimit(int limit) {
    if (limit < 1 || limit > MAX_READ_LIMIT) {
      throw new ValidationException(
          "1 validation error detected: Value '" + limit + "' at 'limit' failed to satisfy "
              + "constraint: Member must have value between 1 and 10000");
    }
  }
}
