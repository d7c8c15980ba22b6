package dev.freshet.sdk.stream.errors;

/** A pagination token is older than five minutes or no longer matches the listing. */
public class ExpiredNextTokenException extends StreamException {
  private static final long serialVersionUID = 1L;

  public ExpiredNextTokenException(String message) {
    super(message);
  }

  public ExpiredNextTokenException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String errorCode() {
    return "ExpiredNextTokenException";
  }
}
