/**
 * The Kinesis-compatible server: the service's wire API (JSON 1.1 and CBOR 1.1 over HTTP/1.1 and
 * HTTP/2) in front of a {@link dev.freshet.sdk.stream.StreamClient}, so the AWS SDKs, the aws CLI,
 * Beam's KinesisIO and Flink's Kinesis connector work against the local store unchanged.
 */
package dev.freshet.kinesis.server;
