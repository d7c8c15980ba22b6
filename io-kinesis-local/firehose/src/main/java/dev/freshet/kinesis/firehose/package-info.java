/** The Firehose API of {@code freshet server}: delivery streams that deliver inside the server, and their S3 API. */
package dev.freshet.kinesis.firehose;
