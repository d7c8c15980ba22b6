package dev.freshet.sdk.stream;

/** The life-cycle state of an enhanced fan-out consumer. */
public enum ConsumerStatus {
  CREATING, DELETING, ACTIVE
}
