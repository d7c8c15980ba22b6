package dev.freshet.sdk.stream;

/** Where a shard iterator starts reading. */
public enum ShardIteratorType {
  AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP
}
