package dev.freshet.sdk.stream.errors;

/** A request does not satisfy the API's constraints (lengths, patterns, ranges). */
public class ValidationException extends StreamException {
  private static final long serialVersionUID = 1L;

  public ValidationException(String message) {
    super(message);
  }

  public ValidationException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String errorCode() {
    return "ValidationException";
  }
}
