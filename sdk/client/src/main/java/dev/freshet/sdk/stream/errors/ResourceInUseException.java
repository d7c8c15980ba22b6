package dev.freshet.sdk.stream.errors;

/** The resource is not in a state that allows the operation (for example a stream that is still CREATING or UPDATING, or a name already taken). */
public class ResourceInUseException extends StreamException {
  private static final long serialVersionUID = 1L;

  public ResourceInUseException(String message) {
    super(message);
  }

  public ResourceInUseException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String errorCode() {
    return "ResourceInUseException";
  }
}
