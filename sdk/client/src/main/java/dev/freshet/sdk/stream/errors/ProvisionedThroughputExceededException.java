package dev.freshet.sdk.stream.errors;

/** A shard's read or write limit was exceeded; retry with back-off. */
public class ProvisionedThroughputExceededException extends StreamException {
  private static final long serialVersionUID = 1L;

  public ProvisionedThroughputExceededException(String message) {
    super(message);
  }

  public ProvisionedThroughputExceededException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String errorCode() {
    return "ProvisionedThroughputExceededException";
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
