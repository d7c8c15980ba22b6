/**
 * Firehose examples: {@link dev.freshet.examples.firehose.ClickArchive} delivers a clicks stream as
 * hourly gzip JSON objects with {@code FirehoseDelivery}.
 */
package dev.freshet.examples.firehose;
