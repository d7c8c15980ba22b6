/** A local Flink session cluster: JobManager and TaskManager processes started from our own jars. */
package dev.freshet.runners.cluster;
