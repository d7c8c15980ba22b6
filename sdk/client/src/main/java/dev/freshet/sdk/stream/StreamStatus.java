package dev.freshet.sdk.stream;

/** The life-cycle state of a stream. */
public enum StreamStatus {
  CREATING, DELETING, ACTIVE, UPDATING
}
