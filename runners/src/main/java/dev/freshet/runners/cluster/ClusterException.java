package dev.freshet.runners.cluster;

/**
 * The local cluster could not do what was asked (a port is taken, a process did not come up, the
 * REST API refused a request); the message says what and where to look.
 */
public final class ClusterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ClusterException(String message) {
    super(message);
  }

  public ClusterException(String message, Throwable cause) {
    super(message, cause);
  }
}
