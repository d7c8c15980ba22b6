package dev.freshet.sdk.io;

import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.SubscribeToShardEvent;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import dev.freshet.sdk.stream.errors.StreamException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * Reads a shard through an enhanced fan-out subscription: the stream pushes events as records are
 * written, one event in flight at a time (back-pressure: the next is requested only when the reader
 * took the previous one). A subscription that ends (they last five minutes) is renewed after the
 * last event's continuation sequence number; a failed one is renewed with back-off, unless the
 * failure is final.
 */
final class SubscriptionShardFetcher implements ShardFetcher, Flow.Subscriber<SubscribeToShardEvent> {
  private static final Object COMPLETE = new Object();

  /** A pushed event and when it was received. */
  private record Received(SubscribeToShardEvent event, long atMillis) {}

  private final StreamClient client;
  private final String consumerArn;
  private final String stream;
  private final String shardId;
  private final StartingPosition start;
  private final Backoff backoff;
  private final BlockingQueue<Object> events = new ArrayBlockingQueue<>(4);
  private volatile Flow.Subscription subscription;
  private boolean subscribed;
  private String continuation;
  private long nextSubscribeNanos;

  SubscriptionShardFetcher(StreamClient client, String consumerArn, String stream, String shardId,
      StartingPosition start, Backoff backoff) {
    this.client = client;
    this.consumerArn = consumerArn;
    this.stream = stream;
    this.shardId = shardId;
    this.start = start;
    this.backoff = backoff;
  }

  @Override
  public Batch fetch(long nowNanos) throws IOException {
    if (!subscribed) {
      if (nowNanos < nextSubscribeNanos) {
        return empty();
      }
      subscribe(nowNanos);
      if (!subscribed) {
        return empty();
      }
    }
    Object item = events.poll();
    if (item == null) {
      return empty();
    }
    if (item instanceof Received) {
      SubscribeToShardEvent event = ((Received) item).event();
      continuation = event.continuationSequenceNumber();
      backoff.reset();
      boolean ended = !event.childShards().isEmpty();
      if (!ended) {
        subscription.request(1);
      }
      return new Batch(event.records(), event.millisBehindLatest(), ended, event.childShards(),
          ((Received) item).atMillis());
    }
    subscribed = false;
    if (item != COMPLETE) {
      Throwable error = (Throwable) item;
      boolean transientError = error instanceof ResourceInUseException
          || (error instanceof StreamException && ((StreamException) error).isRetryable());
      if (!transientError) {
        throw new IOException("the subscription of " + consumerArn + " to " + shardId + " failed: " + error, error);
      }
      nextSubscribeNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(backoff.nextDelayMillis());
    }
    return empty();
  }

  private void subscribe(long nowNanos) throws IOException {
    StartingPosition position = continuation == null ? start : StartingPosition.afterSequenceNumber(continuation);
    try {
      client.subscribeToShard(consumerArn, shardId, position, this);
      subscribed = true;
    } catch (StreamException e) {
      if (!e.isRetryable() && !(e instanceof ResourceInUseException)) {
        throw new IOException("subscribing " + consumerArn + " to " + shardId + " of stream " + stream
            + " failed: " + e.errorCode() + ": " + e.getMessage(), e);
      }
      nextSubscribeNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(backoff.nextDelayMillis());
    }
  }

  private static Batch empty() {
    return Batch.empty();
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    subscription.request(1);
  }

  @Override
  public void onNext(SubscribeToShardEvent event) {
    events.offer(new Received(event, System.currentTimeMillis()));
  }

  @Override
  public void onError(Throwable error) {
    events.offer(error);
  }

  @Override
  public void onComplete() {
    events.offer(COMPLETE);
  }

  @Override
  public void close() {
    Flow.Subscription current = subscription;
    if (current != null) {
      current.cancel();
    }
  }
}
