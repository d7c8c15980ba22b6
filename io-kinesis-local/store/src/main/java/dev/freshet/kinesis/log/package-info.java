/**
 * The per-shard durable append-only log (segment files, checksummed frames, group commit) that the
 * stream store is built on. Its public types serve the store and the store's own tests and
 * benchmarks; of them only {@link dev.freshet.kinesis.log.Durability} is configuration for users
 * (through {@code StoreConfig}).
 */
package dev.freshet.kinesis.log;
