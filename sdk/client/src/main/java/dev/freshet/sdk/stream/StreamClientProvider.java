package dev.freshet.sdk.stream;

import java.net.URI;

/**
 * Opens {@link StreamClient}s for the endpoints of some URI schemes; found with {@link
 * java.util.ServiceLoader}. The embedded store provides {@code file:} (a data folder), the remote
 * client {@code http:} and {@code https:} (a {@code freshet server} or any Kinesis endpoint).
 * Pipelines never call providers directly: they name an endpoint and {@link StreamClients} finds
 * the provider.
 */
public interface StreamClientProvider {
  /** Whether this provider opens clients for {@code endpoint}. */
  boolean supports(URI endpoint);

  /**
   * Opens a client. The caller owns it and closes it; {@link StreamClients} shares one client per
   * endpoint within a JVM.
   */
  StreamClient open(URI endpoint);
}
