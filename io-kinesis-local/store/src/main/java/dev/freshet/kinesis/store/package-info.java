/**
 * The embedded Kinesis Data Streams store: {@link dev.freshet.kinesis.store.LocalStreamStore}
 * implements the SDK's stream client over per-shard durable logs in a data folder.
 */
package dev.freshet.kinesis.store;
