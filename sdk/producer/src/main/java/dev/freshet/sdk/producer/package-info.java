/**
 * The producer library: asynchronous, batched, retried and optionally aggregated writes to any
 * {@link dev.freshet.sdk.stream.StreamClient}, embedded or remote. Beam-free.
 */
package dev.freshet.sdk.producer;
