/** The embedded stream store: sharded append-only logs, routing, sequence numbers, iterators and limits. */
package dev.freshet.kinesis.store;
