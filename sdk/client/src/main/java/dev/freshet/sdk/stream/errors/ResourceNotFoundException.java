package dev.freshet.sdk.stream.errors;

/** The stream, shard or consumer named does not exist. */
public class ResourceNotFoundException extends StreamException {
  private static final long serialVersionUID = 1L;

  public ResourceNotFoundException(String message) {
    super(message);
  }

  public ResourceNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String errorCode() {
    return "ResourceNotFoundException";
  }
}
