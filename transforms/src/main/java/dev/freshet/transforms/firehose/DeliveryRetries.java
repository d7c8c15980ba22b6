package dev.freshet.transforms.firehose;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The service's retry schedule for batch destinations: after a failed attempt, wait the back-off
 * (initially {@code initialBackoffMillis}, doubling, with ±15% jitter, at most 2 minutes) and try
 * again, unless that retry would start later than the retry duration after the first failure.
 * A retry duration of 0 means one attempt.
 */
final class DeliveryRetries {
  static final long MAX_BACKOFF_MILLIS = 120_000;
  private static final double JITTER = 0.15;

  private final long retryDurationMillis;
  private final long initialBackoffMillis;
  private long firstFailure = -1;
  private int attempts;

  DeliveryRetries(long retryDurationMillis, long initialBackoffMillis) {
    this.retryDurationMillis = retryDurationMillis;
    this.initialBackoffMillis = initialBackoffMillis;
  }

  /** Counts an attempt about to start. */
  void attempt() {
    attempts++;
  }

  int attempts() {
    return attempts;
  }

  /**
   * After a failed attempt: waits the back-off and returns true if another attempt should start,
   * or returns false at once when the retry duration would be over before it started.
   */
  boolean waitToRetry() throws InterruptedException {
    long now = System.currentTimeMillis();
    if (firstFailure < 0) {
      firstFailure = now;
    }
    double base = Math.min((double) MAX_BACKOFF_MILLIS, initialBackoffMillis * Math.pow(2, attempts - 1));
    long backoff = Math.round(base * ThreadLocalRandom.current().nextDouble(1 - JITTER, 1 + JITTER));
    if (now + backoff > firstFailure + retryDurationMillis) {
      return false;
    }
    Thread.sleep(backoff);
    return true;
  }
}
