package dev.freshet.kinesis.video;

/** The error codes of PutMedia's {@code ERROR} acknowledgements, with the service's numbers. */
public enum PutMediaError {
  STREAM_READ_ERROR(4000),
  MAX_FRAGMENT_SIZE_REACHED(4001),
  MAX_FRAGMENT_DURATION_REACHED(4002),
  MAX_CONNECTION_DURATION_REACHED(4003),
  FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS(4004),
  MORE_THAN_ALLOWED_TRACKS_FOUND(4005),
  INVALID_MKV_DATA(4006),
  INVALID_PRODUCER_TIMESTAMP(4007),
  INVALID_STREAM_STATUS(4008),
  FRAGMENT_METADATA_LIMIT_REACHED(4009),
  TRACK_NUMBER_MISMATCH(4010),
  FRAMES_MISSING_FOR_TRACK(4011),
  STREAM_DELETED(4507),
  INTERNAL_ERROR(5000),
  ARCHIVAL_ERROR(5001);

  private final int errorId;

  PutMediaError(int errorId) {
    this.errorId = errorId;
  }

  /** The service's numeric {@code ErrorId}. */
  public int errorId() {
    return errorId;
  }
}
