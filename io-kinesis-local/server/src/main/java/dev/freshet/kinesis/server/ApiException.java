package dev.freshet.kinesis.server;

/**
 * An error of the wire protocol itself (rather than of a stream operation): a body that does not
 * parse, a member of the wrong type, an unknown operation, a failed signature. It carries the
 * service's error name and HTTP status.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String errorType;
  private final int status;

  ApiException(String errorType, int status, String message) {
    super(message);
    this.errorType = errorType;
    this.status = status;
  }

  static ApiException serialization(String message) {
    return new ApiException("SerializationException", 400, message);
  }

  static ApiException validation(String message) {
    return new ApiException("ValidationException", 400, message);
  }

  String errorType() {
    return errorType;
  }

  int status() {
    return status;
  }
}
