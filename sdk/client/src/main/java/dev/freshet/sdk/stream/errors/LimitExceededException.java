package dev.freshet.sdk.stream.errors;

/** A resource limit was reached (shard count, consumers per stream, concurrent updates). */
public class LimitExceededException extends StreamException {
  private static final long serialVersionUID = 1L;

  public LimitExceededException(String message) {
    super(message);
  }

  public LimitExceededException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String errorCode() {
    return "LimitExceededException";
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
