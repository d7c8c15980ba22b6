/**
 * The remote stream client: the {@code StreamClient} interface over the Kinesis wire API, for
 * {@code freshet server} or any Kinesis endpoint, through the AWS SDK v2.
 */
package dev.freshet.sdk.remote;
