package dev.freshet.kinesis.store;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Clock;
import java.time.Instant;

/**
 * The service's per-shard throughput limits, for a store run with {@code throttling: aws}: writes
 * of 1 MiB and 1,000 records per second, reads of 5 GetRecords calls and 2 MiB per second.
 *
 * <p>Why token buckets: they give the service's behaviour of a sustained rate with a burst of one
 * second's worth, refill continuously rather than in fixed windows (so a caller that backs off
 * briefly is not punished until the next window), and cost a few arithmetic operations per call.
 * Each limit is a bucket holding at most one second of its rate, starting full.
 *
 * <p>Read bytes are known only after a read, so {@link #recordReadBytes} deducts them afterwards
 * and lets the bucket go negative, as the service does: a 10 MiB GetRecords on a full bucket
 * leaves it 8 MiB in debt, and {@link #readBytesAvailable} stays false for the 4 seconds it takes
 * to refill (5 seconds after a read of 10 MiB from an empty bucket).
 *
 * <p>Time comes from the {@link Clock} given to the constructor, so tests advance a clock instead
 * of sleeping. Tokens are counted in billionths in {@code long}s, so refill per nanosecond is
 * exact and no floating-point drift accumulates. Thread-safe.
 */
final class ShardThrottle {
  static final long WRITE_BYTES_PER_SECOND = 1L << 20;
  static final long WRITE_RECORDS_PER_SECOND = 1_000;
  static final long READ_CALLS_PER_SECOND = 5;
  static final long READ_BYTES_PER_SECOND = 2L << 20;

  private final Clock clock;
  private final Bucket writeBytes;
  private final Bucket writeRecords;
  private final Bucket readCalls;
  private final Bucket readBytes;

  ShardThrottle(Clock clock) {
    this.clock = clock;
    long now = nanos();
    this.writeBytes = new Bucket(WRITE_BYTES_PER_SECOND, now);
    this.writeRecords = new Bucket(WRITE_RECORDS_PER_SECOND, now);
    this.readCalls = new Bucket(READ_CALLS_PER_SECOND, now);
    this.readBytes = new Bucket(READ_BYTES_PER_SECOND, now);
  }

  /**
   * Takes {@code records} records and {@code bytes} bytes (data plus partition keys, as the
   * service counts them) from the write limits if both are available, or nothing at all. A
   * request larger than one second's worth never succeeds, as on the service.
   *
   * @return whether the write may go ahead; if not, the caller answers
   *     ProvisionedThroughputExceededException
   */
  synchronized boolean tryAcquireWrite(int records, long bytes) {
    checkArgument(records >= 0, "records must not be negative, but was: %s", records);
    checkArgument(bytes >= 0, "bytes must not be negative, but was: %s", bytes);
    long now = nanos();
    writeRecords.refill(now);
    writeBytes.refill(now);
    if (!writeRecords.has(records) || !writeBytes.has(bytes)) {
      return false;
    }
    writeRecords.take(records);
    writeBytes.take(bytes);
    return true;
  }

  /**
   * Takes one GetRecords call from the read-call limit if available. Check {@link
   * #readBytesAvailable} first, so a call refused for bytes does not also spend a call.
   */
  synchronized boolean tryAcquireRead() {
    readCalls.refill(nanos());
    if (!readCalls.has(1)) {
      return false;
    }
    readCalls.take(1);
    return true;
  }

  /** Deducts the bytes a read returned; the read-byte bucket may go negative. */
  synchronized void recordReadBytes(long bytes) {
    checkArgument(bytes >= 0, "bytes must not be negative, but was: %s", bytes);
    readBytes.refill(nanos());
    readBytes.take(bytes);
  }

  /** Whether the read-byte bucket is out of debt, so another read may return data. */
  synchronized boolean readBytesAvailable() {
    readBytes.refill(nanos());
    return readBytes.isPositive();
  }

  private long nanos() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /**
   * One limit: up to one second's worth of tokens, refilled at {@code perSecond}. Amounts are kept
   * in billionths of a token so that one nanosecond refills exactly {@code perSecond} units.
   */
  private static final class Bucket {
    private static final long SCALE = 1_000_000_000L;
    /** The largest amount counted at once (about 2.3 GB), so scaling cannot overflow. */
    private static final long MAX_AMOUNT = Long.MAX_VALUE / SCALE / 4;

    /** The deepest debt kept, so repeated huge deductions cannot wrap round to a surplus. */
    private static final long MIN_TOKENS = -(Long.MAX_VALUE / 2);

    private final long perSecond;
    private final long capacity;
    private long tokens;
    private long lastRefillNanos;

    Bucket(long perSecond, long nowNanos) {
      this.perSecond = perSecond;
      this.capacity = perSecond * SCALE;
      this.tokens = capacity;
      this.lastRefillNanos = nowNanos;
    }

    void refill(long nowNanos) {
      long elapsed = nowNanos - lastRefillNanos;
      if (elapsed <= 0) {
        // A clock that steps back must not refill twice; wait for it to pass the last refill.
        return;
      }
      lastRefillNanos = nowNanos;
      long missing = capacity - tokens;
      // Compare before multiplying: elapsed * perSecond may overflow after a long idle period.
      if (missing <= 0 || elapsed >= (missing + perSecond - 1) / perSecond) {
        tokens = capacity;
      } else {
        tokens += elapsed * perSecond;
      }
    }

    boolean has(long amount) {
      return Math.min(amount, MAX_AMOUNT) * SCALE <= tokens;
    }

    void take(long amount) {
      tokens = Math.max(MIN_TOKENS, tokens - Math.min(amount, MAX_AMOUNT) * SCALE);
    }

    boolean isPositive() {
      return tokens > 0;
    }
  }
}
