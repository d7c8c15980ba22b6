package dev.freshet.kinesis.store;

import dev.freshet.kinesis.store.StreamState.ShardRead;
import dev.freshet.sdk.stream.SubscribeToShardEvent;
import dev.freshet.sdk.stream.errors.InternalFailureException;
import dev.freshet.sdk.stream.errors.StreamException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One enhanced fan-out subscription: pushes a shard's records to a {@link Flow.Subscriber} as
 * they are committed, honouring its demand, with a heartbeat event every 5 seconds when there is
 * nothing new. It ends with {@code onComplete} at its lifetime or after the last event of a closed
 * shard (which names the child shards), and with {@code onError} when replaced, when its consumer
 * or stream goes away, or when reading fails. All signals come from the subscription's own thread.
 *
 * <p>New records wake the subscription through the log's commit signal, so a record reaches the
 * subscriber within microseconds of being acknowledged, not on a polling tick.
 */
final class ShardSubscription implements Flow.Subscription, Runnable {
  static final long HEARTBEAT_NANOS = TimeUnit.SECONDS.toNanos(5);
  /** How long to wait for new data before looking at cancellation and expiry again. */
  private static final long CONTROL_CHECK_MILLIS = 100;

  private final DataPlane dataPlane;
  private final StreamState stream;
  private final ShardState shard;
  private final long expiresAtMillis;
  private final Clock clock;
  private final Flow.Subscriber<? super SubscribeToShardEvent> subscriber;
  private final Map<String, ShardSubscription> registry;
  private final String key;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private long demand;
  private boolean cancelled;
  private @Nullable Throwable failure;
  private volatile long offset;
  /** What the last event said, -1 before the first. */
  private volatile long millisBehindLatest = -1;

  ShardSubscription(DataPlane dataPlane, StreamState stream, ShardState shard, long startOffset,
      long expiresAtMillis, Clock clock, Flow.Subscriber<? super SubscribeToShardEvent> subscriber,
      Map<String, ShardSubscription> registry, String key) {
    this.dataPlane = dataPlane;
    this.stream = stream;
    this.shard = shard;
    this.offset = startOffset;
    this.expiresAtMillis = expiresAtMillis;
    this.clock = clock;
    this.subscriber = subscriber;
    this.registry = registry;
    this.key = key;
  }

  long expiresAtMillis() {
    return expiresAtMillis;
  }

  @Override
  public void request(long n) {
    lock.lock();
    try {
      if (n <= 0) {
        failure = new IllegalArgumentException("request(n) needs n > 0 (reactive streams rule 3.9), but n was " + n);
      } else {
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void cancel() {
    lock.lock();
    try {
      cancelled = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Ends the subscription with {@code why}, delivered to the subscriber by its own thread. */
  void fail(StreamException why) {
    lock.lock();
    try {
      if (failure == null) {
        failure = why;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void wake() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void run() {
    try {
      subscriber.onSubscribe(this);
      long lastEventNanos = System.nanoTime() - HEARTBEAT_NANOS;
      while (true) {
        Throwable error;
        lock.lock();
        try {
          while (demand == 0 && !cancelled && failure == null && !expired()) {
            changed.await(CONTROL_CHECK_MILLIS, TimeUnit.MILLISECONDS);
          }
          if (cancelled) {
            return;
          }
          error = failure;
        } finally {
          lock.unlock();
        }
        if (error != null) {
          subscriber.onError(error);
          return;
        }
        if (expired()) {
          subscriber.onComplete();
          return;
        }
        ShardRead read = dataPlane.readForSubscription(stream, shard, offset, 10_000);
        boolean heartbeatDue = System.nanoTime() - lastEventNanos >= HEARTBEAT_NANOS;
        if (!read.records().isEmpty() || read.shardFinished() || heartbeatDue) {
          offset = read.nextOffset();
          millisBehindLatest = read.millisBehindLatest();
          SubscribeToShardEvent event = SubscribeToShardEvent.of(read.records(),
              shard.sequenceNumber(offset - 1), read.millisBehindLatest(),
              read.shardFinished() ? stream.childrenOf(shard) : List.of());
          lock.lock();
          try {
            demand--;
          } finally {
            lock.unlock();
          }
          lastEventNanos = System.nanoTime();
          subscriber.onNext(event);
          if (read.shardFinished()) {
            subscriber.onComplete();
            return;
          }
        } else {
          long untilHeartbeat = HEARTBEAT_NANOS - (System.nanoTime() - lastEventNanos);
          shard.log.awaitEndOffsetAbove(offset - 1,
              Math.min(TimeUnit.NANOSECONDS.toMillis(untilHeartbeat) + 1, CONTROL_CHECK_MILLIS),
              TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (StreamException e) {
      subscriber.onError(e);
    } catch (RuntimeException e) {
      subscriber.onError(new InternalFailureException("the subscription to " + shard.shardId
          + " of stream " + stream.name + " failed: " + e, e));
    } finally {
      registry.remove(key, this);
    }
  }

  /** How far behind the shard's newest record this subscription is, as of now. */
  SubscriptionLag lag(String consumer) {
    return SubscriptionLag.of(consumer, shard.shardId, millisBehindLatest,
        Math.max(0, shard.log.endOffset() - offset));
  }

  private boolean expired() {
    return clock.millis() >= expiresAtMillis;
  }
}
