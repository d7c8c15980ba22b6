package dev.freshet.sdk.stream.errors;

/** A shard iterator is older than five minutes; get a new one. */
public class ExpiredIteratorException extends StreamException {
  private static final long serialVersionUID = 1L;

  public ExpiredIteratorException(String message) {
    super(message);
  }

  public ExpiredIteratorException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String errorCode() {
    return "ExpiredIteratorException";
  }
}
