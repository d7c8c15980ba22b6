/** Stream-to-stream pipelines: a relay from one stream to another and a windowed count per key. */
package dev.freshet.examples.streams;
