/**
 * Freshet's own additions to the Kinesis wire API, spoken only between a {@code freshet server}
 * and Freshet's clients, each asked for explicitly by the client so that the AWS SDKs and other
 * Kinesis clients see the service's protocol unchanged.
 */
package dev.freshet.sdk.wire;
