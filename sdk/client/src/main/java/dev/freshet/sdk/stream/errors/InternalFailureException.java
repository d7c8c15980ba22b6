package dev.freshet.sdk.stream.errors;

/** The store failed for a reason of its own, such as an I/O error; the request may be retried. */
public class InternalFailureException extends StreamException {
  private static final long serialVersionUID = 1L;

  public InternalFailureException(String message) {
    super(message);
  }

  public InternalFailureException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String errorCode() {
    return "InternalFailure";
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
