/** Runner selection, the local Flink cluster launcher, and job packaging and submission. */
package dev.freshet.runners;
