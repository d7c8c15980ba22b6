/** The errors of the stream client interface, named and coded as the Kinesis service names them. */
package dev.freshet.sdk.stream.errors;
