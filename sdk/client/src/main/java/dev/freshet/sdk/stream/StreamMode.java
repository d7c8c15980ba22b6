package dev.freshet.sdk.stream;

/** How a stream's capacity is managed: a fixed shard count, or shards that scale with the write load. */
public enum StreamMode {
  PROVISIONED, ON_DEMAND
}
