package dev.freshet.sdk.producer;

/**
 * Why a record sent through a {@link StreamProducer} was not written: the stream refused it for
 * good, its retries or its time to live ran out, or the producer closed first.
 */
public final class RecordFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The error code of a record that outlived {@link ProducerConfig#recordTtl()}. */
  public static final String EXPIRED = "RecordExpired";

  private final String errorCode;
  private final int attempts;

  RecordFailedException(String errorCode, String message, int attempts, Throwable cause) {
    super(message, cause);
    this.errorCode = errorCode;
    this.attempts = attempts;
  }

  /** The stream's error code for the last attempt, or {@link #EXPIRED}. */
  public String errorCode() {
    return errorCode;
  }

  /** How many times the record was sent. */
  public int attempts() {
    return attempts;
  }
}
