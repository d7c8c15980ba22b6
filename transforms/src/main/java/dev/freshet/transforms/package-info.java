/** Reusable PTransforms over Freshet streams: Firehose delivery, video decoding and record (de)aggregation. */
package dev.freshet.transforms;
