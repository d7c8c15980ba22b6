package dev.freshet.kinesis.video;

import static com.google.common.base.Preconditions.checkNotNull;

/** Media that PutMedia refuses, with the acknowledgement's error code and what was wrong. */
public final class MkvException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final PutMediaError error;

  public MkvException(PutMediaError error, String message) {
    super(message);
    this.error = checkNotNull(error, "error");
  }

  public PutMediaError error() {
    return error;
  }
}
