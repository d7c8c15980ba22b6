/**
 * The Kinesis Producer Library's record aggregation format: many user records packed into one
 * stream record, with an encoder, a decoder and a size-bounded {@link
 * dev.freshet.sdk.aggregation.Aggregator}. Beam-free.
 */
package dev.freshet.sdk.aggregation;
