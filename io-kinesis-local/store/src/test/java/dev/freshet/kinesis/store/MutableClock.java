package dev.freshet.kinesis.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that tests move by hand, so time-based behaviour is tested without sleeping. It keeps
 * nanoseconds (the throttle's buckets refill per nanosecond) and is safe to read from the store's
 * background threads while a test moves it.
 */
final class MutableClock extends Clock {
  private final AtomicReference<Instant> now;

  MutableClock(Instant start) {
    this.now = new AtomicReference<>(start);
  }

  void advance(Duration duration) {
    now.updateAndGet(instant -> instant.plus(duration));
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public long millis() {
    return now.get().toEpochMilli();
  }

  @Override
  public Instant instant() {
    return now.get();
  }
}
