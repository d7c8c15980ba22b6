package dev.freshet.sdk.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.sdk.stream.SubscribeToShardEvent;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEventStream;

class EventStreamBridgeTest {
  private final List<String> signals = new ArrayList<>();
  private Flow.Subscription downstreamSubscription;
  private final AtomicLong upstreamDemand = new AtomicLong();

  private final Flow.Subscriber<SubscribeToShardEvent> subscriber = new Flow.Subscriber<>() {
    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      downstreamSubscription = subscription;
      signals.add("subscribe");
    }

    @Override
    public void onNext(SubscribeToShardEvent item) {
      signals.add("next " + item.continuationSequenceNumber());
    }

    @Override
    public void onError(Throwable throwable) {
      signals.add("error " + throwable.getClass().getSimpleName());
    }

    @Override
    public void onComplete() {
      signals.add("complete");
    }
  };

  private EventStreamBridge bridge() {
    EventStreamBridge bridge = new EventStreamBridge(subscriber,
        e -> SubscribeToShardEvent.of(List.of(), e.continuationSequenceNumber(), 0, List.of()));
    bridge.onSubscribe(new Subscription() {
      @Override
      public void request(long n) {
        upstreamDemand.addAndGet(n);
      }

      @Override
      public void cancel() {
        signals.add("cancelled upstream");
      }
    });
    return bridge;
  }

  private static software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent event(String continuation) {
    return software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent.builder()
        .continuationSequenceNumber(continuation).millisBehindLatest(0L).build();
  }

  @Test
  void demandPassesThroughAndUnknownEventsAreReplaced() {
    EventStreamBridge bridge = bridge();
    assertThat(bridge.started).isCompleted();
    assertThat(upstreamDemand).hasValue(0);
    downstreamSubscription.request(2);
    assertThat(upstreamDemand).hasValue(2);
    bridge.onNext(event("1"));
    bridge.onNext(SubscribeToShardEventStream.UNKNOWN);
    assertThat(upstreamDemand).hasValue(3); // the unknown event's unit of demand was asked for again
    bridge.onNext(event("2"));
    bridge.onComplete();
    bridge.onError(new RuntimeException("late"));
    assertThat(signals).containsExactly("subscribe", "next 1", "next 2", "complete");
  }

  @Test
  void failuresAfterTheStartReachTheSubscriberOnceAsStreamApiErrors() {
    EventStreamBridge bridge = bridge();
    KinesisException replaced = (KinesisException) KinesisException.builder()
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("ResourceInUseException").errorMessage("replaced").build())
        .build();
    bridge.fail(replaced);
    bridge.fail(replaced);
    bridge.onComplete();
    assertThat(signals).containsExactly("subscribe", "error " + ResourceInUseException.class.getSimpleName());
  }

  @Test
  void aFailureBeforeTheStartIsTheCallersNotTheSubscribers() {
    EventStreamBridge bridge = new EventStreamBridge(subscriber, e -> null);
    bridge.fail(new RuntimeException("connection refused"));
    assertThat(bridge.started).isCompletedExceptionally();
    assertThat(signals).isEmpty();
  }
}
