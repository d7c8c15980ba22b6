/** Runnable pipelines for the seed use cases: clickstream, IoT, logs, fraud alerts and cameras. */
package dev.freshet.examples;
