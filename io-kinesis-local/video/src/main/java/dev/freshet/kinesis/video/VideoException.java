package dev.freshet.kinesis.video;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * A failed Kinesis Video request, named as the service names it ({@code ResourceNotFoundException},
 * {@code ResourceInUseException}, {@code InvalidArgumentException}, {@code VersionMismatchException},
 * {@code ClientLimitExceededException}, {@code ConnectionLimitExceededException}, …), with the HTTP
 * status the service answers it with.
 */
public final class VideoException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String errorType;
  private final int status;

  public VideoException(String errorType, int status, String message) {
    super(message);
    this.errorType = checkNotNull(errorType, "errorType");
    this.status = status;
  }

  static VideoException notFound(String what) {
    return new VideoException("ResourceNotFoundException", 404, what);
  }

  static VideoException invalid(String what) {
    return new VideoException("InvalidArgumentException", 400, what);
  }

  public String errorType() {
    return errorType;
  }

  public int status() {
    return status;
  }
}
