package dev.freshet.sdk.stream;

/** Which shards a shard listing returns (the service's ShardFilter types). */
public enum ShardFilterType {
  AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP
}
