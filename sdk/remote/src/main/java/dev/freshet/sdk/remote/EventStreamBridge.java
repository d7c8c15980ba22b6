package dev.freshet.sdk.remote;

import dev.freshet.sdk.stream.SubscribeToShardEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEventStream;

/**
 * Forwards the AWS SDK's SubscribeToShard event stream (a Reactive Streams publisher) to the
 * {@link Flow.Subscriber} of the stream API. Demand passes straight through: the SDK reads no more
 * events from the connection than the subscriber asked for, so a slow subscriber slows the server's
 * push instead of filling memory. Exactly one terminal signal reaches the subscriber, whether the
 * end comes from the event stream or from the response future.
 */
final class EventStreamBridge implements Subscriber<SubscribeToShardEventStream> {
  private final Flow.Subscriber<? super SubscribeToShardEvent> downstream;
  private final Function<software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent, SubscribeToShardEvent> convert;
  private final AtomicBoolean terminated = new AtomicBoolean();
  /** Completes when the event stream starts; fails if the request is refused before it does. */
  final CompletableFuture<Void> started = new CompletableFuture<>();
  private volatile Subscription upstream;

  EventStreamBridge(
      Flow.Subscriber<? super SubscribeToShardEvent> downstream,
      Function<software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent, SubscribeToShardEvent> convert) {
    this.downstream = downstream;
    this.convert = convert;
  }

  @Override
  public void onSubscribe(Subscription subscription) {
    upstream = subscription;
    started.complete(null);
    downstream.onSubscribe(new Flow.Subscription() {
      @Override
      public void request(long n) {
        subscription.request(n);
      }

      @Override
      public void cancel() {
        terminated.set(true);
        subscription.cancel();
      }
    });
  }

  @Override
  public void onNext(SubscribeToShardEventStream event) {
    if (terminated.get()) {
      return;
    }
    if (event instanceof software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent) {
      downstream.onNext(convert.apply((software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent) event));
    } else {
      // An event type this SDK does not know used up one unit of demand without reaching the
      // subscriber; ask for its replacement so the subscriber's demand stays exact.
      upstream.request(1);
    }
  }

  @Override
  public void onError(Throwable t) {
    fail(t);
  }

  @Override
  public void onComplete() {
    if (terminated.compareAndSet(false, true)) {
      downstream.onComplete();
    }
  }

  /** A failure from the stream or the response: before the stream started it is the caller's. */
  void fail(Throwable t) {
    if (!started.isDone()) {
      started.completeExceptionally(RemoteErrors.map(t));
      terminated.set(true);
      return;
    }
    if (terminated.compareAndSet(false, true)) {
      downstream.onError(RemoteErrors.map(t));
    }
  }
}
