package dev.freshet.kinesis.firehose;

/**
 * A Firehose API error with the service's type name ({@code ResourceNotFoundException}, {@code
 * InvalidArgumentException}, …), answered as {@code {"__type":…,"message":…}} with status 400.
 */
final class FirehoseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  static final String RESOURCE_NOT_FOUND = "ResourceNotFoundException";
  static final String RESOURCE_IN_USE = "ResourceInUseException";
  static final String INVALID_ARGUMENT = "InvalidArgumentException";
  static final String INVALID_KMS_RESOURCE = "InvalidKMSResourceException";
  static final String LIMIT_EXCEEDED = "LimitExceededException";
  static final String CONCURRENT_MODIFICATION = "ConcurrentModificationException";
  static final String SERVICE_UNAVAILABLE = "ServiceUnavailableException";
  static final String UNKNOWN_OPERATION = "UnknownOperationException";
  static final String SERIALIZATION = "SerializationException";

  private final String type;

  FirehoseException(String type, String message) {
    super(message);
    this.type = type;
  }

  static FirehoseException invalid(String format, Object... args) {
    return new FirehoseException(INVALID_ARGUMENT, String.format(format, args));
  }

  static FirehoseException notFound(String name, String account) {
    return new FirehoseException(RESOURCE_NOT_FOUND,
        "Firehose " + name + " under account " + account + " not found.");
  }

  String type() {
    return type;
  }

  int status() {
    return SERVICE_UNAVAILABLE.equals(type) ? 503 : 400;
  }
}
