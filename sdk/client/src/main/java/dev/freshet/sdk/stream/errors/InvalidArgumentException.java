package dev.freshet.sdk.stream.errors;

/** An argument is not acceptable to the operation; the message names it, its value and the allowed range. */
public class InvalidArgumentException extends StreamException {
  private static final long serialVersionUID = 1L;

  public InvalidArgumentException(String message) {
    super(message);
  }

  public InvalidArgumentException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String errorCode() {
    return "InvalidArgumentException";
  }
}
