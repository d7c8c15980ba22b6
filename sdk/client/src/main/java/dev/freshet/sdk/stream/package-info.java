/**
 * The sharded-stream client interface ({@link dev.freshet.sdk.stream.StreamClient}) and its value
 * types and errors, with the semantics and names of Amazon Kinesis Data Streams. Beam-free, so the
 * embedded store and the server implement it without depending on Beam.
 */
package dev.freshet.sdk.stream;
