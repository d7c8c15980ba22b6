/** Video in pipelines: Kinesis Video fragments, decoding them into frames, and sampling frames. */
package dev.freshet.transforms.video;
