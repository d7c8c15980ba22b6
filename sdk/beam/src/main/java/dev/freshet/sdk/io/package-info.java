/**
 * Beam IO for Freshet streams: {@link dev.freshet.sdk.io.StreamIO#read()} (an unbounded source with
 * checkpointable shard iterators) and {@link dev.freshet.sdk.io.StreamIO#write()} (a sink).
 */
package dev.freshet.sdk.io;
