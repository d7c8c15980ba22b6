package dev.freshet.transforms.video;

/** Thrown by a {@link FrameDecoder} for a fragment it cannot decode; the message says why. */
public final class UndecodableFragmentException extends Exception {
  private static final long serialVersionUID = 1L;

  public UndecodableFragmentException(String message) {
    super(message);
  }

  public UndecodableFragmentException(String message, Throwable cause) {
    super(message, cause);
  }
}
