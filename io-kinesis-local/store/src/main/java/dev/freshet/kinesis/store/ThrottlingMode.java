package dev.freshet.kinesis.store;

/**
 * Whether the store enforces the service's per-shard limits: {@link #AWS} refuses requests over
 * them with {@code ProvisionedThroughputExceededException} (writes 1 MiB/s and 1,000 records/s,
 * reads 2 MiB/s and 5 calls/s per shard); {@link #OFF}, the local default, lets a shard go as fast
 * as the machine can.
 */
public enum ThrottlingMode {
  AWS,
  OFF
}
