/**
 * The per-shard durable append-only log (segment files, checksummed frames, group commit) that the
 * stream store is built on; internal to the store.
 */
package dev.freshet.kinesis.log;
