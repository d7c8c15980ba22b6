/** Firehose delivery: {@link dev.freshet.transforms.firehose.FirehoseDelivery} buffers, transforms, partitions, compresses and delivers records as objects. */
package dev.freshet.transforms.firehose;
