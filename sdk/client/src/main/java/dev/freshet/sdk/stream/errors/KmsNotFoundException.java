package dev.freshet.sdk.stream.errors;

/** The encryption key id is not in the key store, or a record's key is missing from it. */
public class KmsNotFoundException extends StreamException {
  private static final long serialVersionUID = 1L;

  public KmsNotFoundException(String message) {
    super(message);
  }

  public KmsNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String errorCode() {
    return "KMSNotFoundException";
  }
}
