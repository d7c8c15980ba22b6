package dev.freshet.sdk.stream.errors;

/**
 * A failed stream operation. {@link #errorCode()} is the service's name for the error (the
 * {@code __type} on the wire); {@link #isRetryable()} says whether the same call may succeed later.
 */
public abstract class StreamException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected StreamException(String message) {
    super(message);
  }

  protected StreamException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The service's error name, such as {@code ResourceNotFoundException}. */
  public abstract String errorCode();

  /** Whether retrying the same call later may succeed (throttling, transient faults). */
  public boolean isRetryable() {
    return false;
  }
}
