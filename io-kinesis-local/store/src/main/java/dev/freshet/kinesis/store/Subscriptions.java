package dev.freshet.kinesis.store;

import dev.freshet.sdk.stream.SubscribeToShardEvent;
import dev.freshet.sdk.stream.errors.InternalFailureException;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import dev.freshet.sdk.stream.errors.StreamException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The enhanced fan-out subscriptions of a store: at most one per consumer and shard (a new one
 * replaces the old), each pushing on a thread of its own while it lives.
 */
final class Subscriptions implements AutoCloseable {
  /** How long closing waits for subscribers to take their last signal (a slow onNext holds it). */
  private static final long CLOSE_WAIT_SECONDS = 5;

  private final StoreConfig config;
  private final ExecutorService executor;
  private final Map<String, ShardSubscription> active = new ConcurrentHashMap<>();

  Subscriptions(StoreConfig config) {
    this.config = config;
    AtomicInteger count = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "freshet-subscription-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  void subscribe(DataPlane dataPlane, StreamState stream, ShardState shard, String consumer,
      long startOffset, Flow.Subscriber<? super SubscribeToShardEvent> subscriber) {
    String key = stream.name + '/' + consumer + '/' + shard.shardId;
    long expiresAt = config.clock().millis() + config.subscriptionLifetime().toMillis();
    ShardSubscription subscription = new ShardSubscription(dataPlane, stream, shard, startOffset,
        expiresAt, config.clock(), subscriber, active, key);
    ShardSubscription replaced = active.put(key, subscription);
    if (replaced != null) {
      replaced.fail(new ResourceInUseException("The subscription of consumer " + consumer + " to "
          + shard.shardId + " of stream " + stream.name + " was replaced by a newer one"));
    }
    executor.execute(subscription);
  }

  void endConsumer(String stream, String consumer) {
    endMatching(stream + '/' + consumer + '/',
        new ResourceNotFoundException("Consumer " + consumer + " of stream " + stream + " was deregistered"));
  }

  void endStream(String stream) {
    endMatching(stream + '/', new ResourceNotFoundException("Stream " + stream + " was deleted"));
  }

  private void endMatching(String prefix, StreamException why) {
    for (Map.Entry<String, ShardSubscription> entry : active.entrySet()) {
      if (entry.getKey().startsWith(prefix)) {
        entry.getValue().fail(why);
      }
    }
  }

  /** The live subscriptions of {@code stream}, by consumer and shard. */
  java.util.List<SubscriptionLag> lag(String stream) {
    String prefix = stream + '/';
    java.util.List<SubscriptionLag> lags = new java.util.ArrayList<>();
    for (Map.Entry<String, ShardSubscription> entry : active.entrySet()) {
      if (entry.getKey().startsWith(prefix)) {
        String rest = entry.getKey().substring(prefix.length());
        lags.add(entry.getValue().lag(rest.substring(0, rest.lastIndexOf('/'))));
      }
    }
    lags.sort(java.util.Comparator.comparing(SubscriptionLag::consumerName).thenComparing(SubscriptionLag::shardId));
    return lags;
  }

  /** Completes subscriptions that reached their lifetime (they also check on their own). */
  void expire(long nowMillis) {
    for (ShardSubscription subscription : active.values()) {
      if (subscription.expiresAtMillis() <= nowMillis) {
        subscription.wake();
      }
    }
  }

  /**
   * Ends every subscription with an error, so that no subscriber waits for a store that is gone,
   * and waits a little for them to be told before stopping their threads.
   */
  @Override
  public void close() {
    InternalFailureException closed = new InternalFailureException(
        "the store in " + config.dataDir() + " was closed; subscribe again once it is reopened");
    for (ShardSubscription subscription : active.values()) {
      subscription.fail(closed);
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
