/** The camera example: motion detection on a Kinesis Video stream, alerts into a Freshet stream. */
package dev.freshet.examples.camera;
