/** Firehose delivery: {@link dev.freshet.transforms.firehose.FirehoseDelivery} buffers, transforms, partitions, compresses and delivers records as objects, to HTTP endpoints and to PostgreSQL. */
package dev.freshet.transforms.firehose;
