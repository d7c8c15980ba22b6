/**
 * Kinesis Video Streams, locally: the durable fragment store ({@link
 * dev.freshet.kinesis.video.VideoFragmentStore}), Matroska ingest ({@link
 * dev.freshet.kinesis.video.MediaIngest}) and output ({@link dev.freshet.kinesis.video.MkvOutput}),
 * and the Kinesis Video API on the server's port ({@link dev.freshet.kinesis.video.VideoService}).
 */
package dev.freshet.kinesis.video;
