package dev.freshet.sdk.io;

import java.io.Serializable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with full jitter, for throttled or transiently failing calls: each delay is
 * random up to twice the previous bound, from {@code initialMillis} to at most {@code maxMillis}.
 */
final class Backoff implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long initialMillis;
  private final long maxMillis;
  private long bound;

  Backoff(long initialMillis, long maxMillis) {
    this.initialMillis = initialMillis;
    this.maxMillis = maxMillis;
    this.bound = initialMillis;
  }

  long nextDelayMillis() {
    long delay = initialMillis + ThreadLocalRandom.current().nextLong(Math.max(1, bound - initialMillis + 1));
    bound = Math.min(maxMillis, bound * 2);
    return Math.min(delay, maxMillis);
  }

  void reset() {
    bound = initialMillis;
  }

  Backoff copy() {
    return new Backoff(initialMillis, maxMillis);
  }
}
