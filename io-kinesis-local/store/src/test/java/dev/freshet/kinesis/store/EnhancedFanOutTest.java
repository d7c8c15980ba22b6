package dev.freshet.kinesis.store;

import static dev.freshet.kinesis.store.StoreTesting.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.ChildShard;
import dev.freshet.sdk.stream.Consumer;
import dev.freshet.sdk.stream.ConsumerStatus;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.SubscribeToShardEvent;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.LimitExceededException;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import dev.freshet.sdk.stream.errors.ValidationException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Enhanced fan-out: consumers, push subscriptions, continuation, expiry and replacement. */
class EnhancedFanOutTest {
  /** Generous: push delivery takes microseconds, but the machine is shared. */
  private static final long WAIT_SECONDS = 30;
  private static final String SHARD = "shardId-000000000000";

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private LocalStreamStore store;

  @BeforeEach
  void open() {
    // Maintenance only when the test calls it, so the clock alone decides expiry.
    store = LocalStreamStore.open(StoreConfig.builder(dir).setClock(clock)
        .setMaintenanceInterval(Duration.ofDays(1)).build());
    store.createStream(CreateStreamRequest.provisioned("s", 1));
  }

  @AfterEach
  void close() {
    store.close();
  }

  // ---- consumers ----

  @Test
  void registersDescribesListsAndDeregistersConsumers() {
    Consumer registered = store.registerStreamConsumer("s", "app");
    assertThat(registered.consumerName()).isEqualTo("app");
    assertThat(registered.consumerArn()).isEqualTo(
        "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/app:" + clock.instant().getEpochSecond());
    assertThat(registered.streamArn()).isEqualTo("arn:aws:kinesis:us-east-1:000000000000:stream/s");
    assertThat(registered.consumerStatus()).isEqualTo(ConsumerStatus.ACTIVE);
    assertThat(registered.consumerCreationTimestamp()).isEqualTo(clock.instant());

    assertThat(store.describeStreamConsumer(registered.consumerArn())).isEqualTo(registered);
    store.registerStreamConsumer(registered.streamArn(), "other");
    assertThat(store.listStreamConsumers("s")).extracting(Consumer::consumerName)
        .containsExactlyInAnyOrder("app", "other");
    assertThat(store.describeStreamSummary("s").consumerCount()).isEqualTo(2);

    store.deregisterStreamConsumer(registered.consumerArn());
    assertThat(store.listStreamConsumers("s")).extracting(Consumer::consumerName).containsExactly("other");
    assertThatThrownBy(() -> store.describeStreamConsumer(registered.consumerArn()))
        .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("app");
    assertThatThrownBy(() -> store.deregisterStreamConsumer(registered.consumerArn()))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void aStreamHasAtMostTwentyConsumersAndNamesAreUnique() {
    for (int i = 0; i < 20; i++) {
      store.registerStreamConsumer("s", "c" + i);
    }
    assertThatThrownBy(() -> store.registerStreamConsumer("s", "c20"))
        .isInstanceOf(LimitExceededException.class).hasMessageContaining("20");
    assertThatThrownBy(() -> store.registerStreamConsumer("s", "c3"))
        .isInstanceOf(ResourceInUseException.class).hasMessageContaining("c3");
    assertThat(store.listStreamConsumers("s")).hasSize(20);

    // Deregistering one makes room for another.
    store.deregisterStreamConsumer(store.listStreamConsumers("s").get(0).consumerArn());
    store.registerStreamConsumer("s", "c20");
    assertThat(store.listStreamConsumers("s")).hasSize(20);
  }

  @Test
  void badNamesAndArnsAreRefused() {
    assertThatThrownBy(() -> store.registerStreamConsumer("s", "bad name"))
        .isInstanceOf(ValidationException.class).hasMessageContaining("bad name");
    assertThatThrownBy(() -> store.registerStreamConsumer("nope", "app"))
        .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("nope");
    assertThatThrownBy(() -> store.describeStreamConsumer("not-an-arn"))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("not-an-arn");
    assertThatThrownBy(() -> store.deregisterStreamConsumer("arn:aws:kinesis:us-east-1:000000000000:stream/s"))
        .isInstanceOf(InvalidArgumentException.class);

    Consumer app = store.registerStreamConsumer("s", "app");
    // Right shape, but the creation time does not match: an earlier consumer of that name.
    String stale = app.consumerArn().replaceAll(":\\d+$", ":" + (clock.instant().getEpochSecond() - 60));
    assertThatThrownBy(() -> store.describeStreamConsumer(stale)).isInstanceOf(ResourceNotFoundException.class);
    String missing = app.consumerArn().replace("/consumer/app:", "/consumer/ghost:");
    assertThatThrownBy(() -> store.describeStreamConsumer(missing)).isInstanceOf(ResourceNotFoundException.class);
    String otherAccount = app.consumerArn().replace("000000000000", "111111111111");
    assertThatThrownBy(() -> store.describeStreamConsumer(otherAccount))
        .isInstanceOf(ResourceNotFoundException.class);

    Recorder recorder = new Recorder(Long.MAX_VALUE);
    assertThatThrownBy(() -> store.subscribeToShard("bad", SHARD, StartingPosition.latest(), recorder))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> store.subscribeToShard(missing, SHARD, StartingPosition.latest(), recorder))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(() -> store.subscribeToShard(app.consumerArn(), "shardId-000000000007",
            StartingPosition.latest(), recorder))
        .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("shardId-000000000007");
    assertThat(recorder.subscription).as("a refused subscribe signals nothing").isNull();
  }

  @Test
  void aConsumerTakesSubscriptionsOnlyOnceActive() throws Exception {
    store.close();
    store = LocalStreamStore.open(StoreConfig.builder(dir).setClock(clock)
        .setStatusDelay(Duration.ofSeconds(5)).setMaintenanceInterval(Duration.ofDays(1)).build());
    Consumer app = store.registerStreamConsumer("s", "app");
    assertThat(app.consumerStatus()).isEqualTo(ConsumerStatus.CREATING);
    Recorder early = new Recorder(Long.MAX_VALUE);
    assertThatThrownBy(() -> store.subscribeToShard(app.consumerArn(), SHARD, StartingPosition.latest(), early))
        .isInstanceOf(ResourceInUseException.class).hasMessageContaining("ACTIVE");

    clock.advance(Duration.ofSeconds(5));
    assertThat(store.describeStreamConsumer(app.consumerArn()).consumerStatus()).isEqualTo(ConsumerStatus.ACTIVE);
    Recorder recorder = new Recorder(Long.MAX_VALUE);
    store.subscribeToShard(app.consumerArn(), SHARD, StartingPosition.latest(), recorder);
    recorder.awaitSubscribed();
    store.putRecord("s", entry("k", "now"), null);
    assertThat(recorder.awaitRecords(1)).extracting(StoreTesting::text).containsExactly("now");
  }

  // ---- push ----

  @Test
  void recordsWrittenAfterSubscribingArePushed() throws Exception {
    Consumer app = store.registerStreamConsumer("s", "app");
    Recorder recorder = new Recorder(Long.MAX_VALUE);
    store.subscribeToShard(app.consumerArn(), SHARD, StartingPosition.latest(), recorder);
    recorder.awaitSubscribed();

    List<String> sequenceNumbers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sequenceNumbers.add(store.putRecord("s", entry("k" + i, "r" + i), null).sequenceNumber());
    }
    // No GetRecords anywhere: the records must come to the subscriber by themselves.
    List<Record> received = recorder.awaitRecords(5);
    assertThat(received).extracting(StoreTesting::text).containsExactly("r0", "r1", "r2", "r3", "r4");
    assertThat(received).extracting(Record::sequenceNumber).containsExactlyElementsOf(sequenceNumbers);
    assertThat(received).extracting(Record::partitionKey).containsExactly("k0", "k1", "k2", "k3", "k4");
    assertThat(recorder.lastContinuation).isEqualTo(sequenceNumbers.get(4));
    assertThat(recorder.done).isNotDone();
  }

  @Test
  void honoursDemand() throws Exception {
    Consumer app = store.registerStreamConsumer("s", "app");
    for (int i = 0; i < 3; i++) {
      store.putRecord("s", entry("k", "r" + i), null);
    }
    Recorder recorder = new Recorder(1);
    store.subscribeToShard(app.consumerArn(), SHARD, StartingPosition.trimHorizon(), recorder);
    SubscribeToShardEvent first = recorder.nextEvent();
    assertThat(first.records()).extracting(StoreTesting::text).containsExactly("r0", "r1", "r2");
    store.putRecord("s", entry("k", "r3"), null);
    // Without demand nothing more may be pushed (this can only pass wrongly, never fail wrongly).
    assertThat(recorder.events.poll(300, TimeUnit.MILLISECONDS)).isNull();
    recorder.subscription.request(1);
    assertThat(recorder.awaitRecords(1)).extracting(StoreTesting::text).containsExactly("r3");
  }

  @Test
  void requestOfZeroFailsTheSubscription() throws Exception {
    Consumer app = store.registerStreamConsumer("s", "app");
    Recorder recorder = new Recorder(0);
    store.subscribeToShard(app.consumerArn(), SHARD, StartingPosition.latest(), recorder);
    recorder.awaitSubscribed();
    recorder.subscription.request(0);
    assertThat(recorder.awaitError()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9");
  }

  @Test
  void resumesFromTheContinuationWithNothingLostOrRepeated() throws Exception {
    Consumer app = store.registerStreamConsumer("s", "app");
    List<String> written = writeEach(0, 50);

    Recorder first = new Recorder(Long.MAX_VALUE);
    store.subscribeToShard(app.consumerArn(), SHARD, StartingPosition.trimHorizon(), first);
    List<Record> seen = new ArrayList<>(first.awaitRecords(50));
    written.addAll(writeEach(50, 80));
    seen.addAll(first.awaitRecords(30));
    String continuation = first.lastContinuation;
    assertThat(continuation).isEqualTo(seen.get(seen.size() - 1).sequenceNumber());

    // A new subscription of the same consumer and shard replaces the first one...
    Recorder second = new Recorder(Long.MAX_VALUE);
    store.subscribeToShard(app.consumerArn(), SHARD, StartingPosition.afterSequenceNumber(continuation), second);
    assertThat(first.awaitError()).isInstanceOf(ResourceInUseException.class);
    written.addAll(writeEach(80, 100));
    // ...and goes on exactly after what the first delivered.
    seen.addAll(second.awaitRecords(20));
    assertThat(seen).extracting(StoreTesting::text).containsExactlyElementsOf(written);
    assertThat(seen).extracting(Record::sequenceNumber).doesNotHaveDuplicates().isSorted();
  }

  @Test
  void theContinuationOfAnEmptyShardResumesAtItsFirstRecord() throws Exception {
    Consumer app = store.registerStreamConsumer("s", "app");
    Recorder first = new Recorder(Long.MAX_VALUE);
    store.subscribeToShard(app.consumerArn(), SHARD, StartingPosition.trimHorizon(), first);
    SubscribeToShardEvent heartbeat = first.nextEvent();
    assertThat(heartbeat.records()).isEmpty();

    store.putRecord("s", entry("k", "first"), null);
    Recorder second = new Recorder(Long.MAX_VALUE);
    store.subscribeToShard(app.consumerArn(), SHARD,
        StartingPosition.afterSequenceNumber(heartbeat.continuationSequenceNumber()), second);
    assertThat(second.awaitRecords(1)).extracting(StoreTesting::text).containsExactly("first");
  }

  @Test
  void aClosedShardEndsWithItsChildShardsThenCompletes() throws Exception {
    Consumer app = store.registerStreamConsumer("s", "app");
    List<String> written = writeEach(0, 10);
    store.splitShard("s", SHARD, BigInteger.ONE.shiftLeft(127));

    Recorder recorder = new Recorder(Long.MAX_VALUE);
    store.subscribeToShard(app.consumerArn(), SHARD, StartingPosition.trimHorizon(), recorder);
    recorder.awaitDone();
    List<SubscribeToShardEvent> events = new ArrayList<>();
    recorder.events.drainTo(events);
    assertThat(events).isNotEmpty();
    List<Record> records = new ArrayList<>();
    events.forEach(e -> records.addAll(e.records()));
    assertThat(records).extracting(StoreTesting::text).containsExactlyElementsOf(written);

    SubscribeToShardEvent last = events.get(events.size() - 1);
    assertThat(last.childShards()).extracting(ChildShard::shardId)
        .containsExactlyInAnyOrder("shardId-000000000001", "shardId-000000000002");
    assertThat(last.childShards()).allSatisfy(c -> assertThat(c.parentShards()).containsExactly(SHARD));
    assertThat(events.subList(0, events.size() - 1)).allSatisfy(e -> assertThat(e.childShards()).isEmpty());
    assertThat(last.continuationSequenceNumber()).isEqualTo(records.get(records.size() - 1).sequenceNumber());

    // Resuming at the end of a closed shard ends at once, again naming the children.
    Recorder again = new Recorder(Long.MAX_VALUE);
    store.subscribeToShard(app.consumerArn(), SHARD,
        StartingPosition.afterSequenceNumber(last.continuationSequenceNumber()), again);
    again.awaitDone();
    SubscribeToShardEvent only = again.events.poll();
    assertThat(only).isNotNull();
    assertThat(only.records()).isEmpty();
    assertThat(only.childShards()).hasSize(2);
  }

  @Test
  void completesAfterItsLifetimeAndTheConsumerResumes() throws Exception {
    Consumer app = store.registerStreamConsumer("s", "app");
    Recorder first = new Recorder(Long.MAX_VALUE);
    store.subscribeToShard(app.consumerArn(), SHARD, StartingPosition.trimHorizon(), first);
    List<String> written = writeEach(0, 5);
    List<Record> seen = new ArrayList<>(first.awaitRecords(5));

    clock.advance(Duration.ofMinutes(5).minusSeconds(1));
    store.runMaintenance();
    written.addAll(writeEach(5, 6));
    seen.addAll(first.awaitRecords(1));
    assertThat(first.done).as("still alive just before 5 minutes").isNotDone();

    clock.advance(Duration.ofSeconds(2));
    store.runMaintenance();
    first.awaitDone();
    String continuation = first.lastContinuation;

    written.addAll(writeEach(6, 10));
    Recorder second = new Recorder(Long.MAX_VALUE);
    store.subscribeToShard(app.consumerArn(), SHARD, StartingPosition.afterSequenceNumber(continuation), second);
    seen.addAll(second.awaitRecords(4));
    assertThat(seen).extracting(StoreTesting::text).containsExactlyElementsOf(written);
  }

  @Test
  void deregisteringTheConsumerEndsItsSubscriptions() throws Exception {
    Consumer app = store.registerStreamConsumer("s", "app");
    Recorder recorder = new Recorder(Long.MAX_VALUE);
    store.subscribeToShard(app.consumerArn(), SHARD, StartingPosition.latest(), recorder);
    recorder.awaitSubscribed();
    store.deregisterStreamConsumer(app.consumerArn());
    assertThat(recorder.awaitError()).isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("app");
  }

  @Test
  void subscriptionsOfOtherConsumersAreIndependent() throws Exception {
    Consumer a = store.registerStreamConsumer("s", "a");
    Consumer b = store.registerStreamConsumer("s", "b");
    Recorder ra = new Recorder(Long.MAX_VALUE);
    Recorder rb = new Recorder(Long.MAX_VALUE);
    store.subscribeToShard(a.consumerArn(), SHARD, StartingPosition.latest(), ra);
    store.subscribeToShard(b.consumerArn(), SHARD, StartingPosition.latest(), rb);
    ra.awaitSubscribed();
    rb.awaitSubscribed();
    store.putRecord("s", entry("k", "both"), null);
    assertThat(ra.awaitRecords(1)).extracting(StoreTesting::text).containsExactly("both");
    assertThat(rb.awaitRecords(1)).extracting(StoreTesting::text).containsExactly("both");
    assertThat(ra.done).isNotDone();
    assertThat(rb.done).isNotDone();
  }

  @Test
  void closingTheStoreEndsSubscriptions() throws Exception {
    Consumer app = store.registerStreamConsumer("s", "app");
    Recorder recorder = new Recorder(Long.MAX_VALUE);
    store.subscribeToShard(app.consumerArn(), SHARD, StartingPosition.latest(), recorder);
    recorder.awaitSubscribed();
    store.close();
    // A subscriber must not wait forever for a store that is gone.
    recorder.awaitTerminated();
  }

  private List<String> writeEach(int from, int to) {
    List<String> written = new ArrayList<>();
    List<PutRecordsEntry> batch = new ArrayList<>();
    for (int i = from; i < to; i++) {
      written.add("r" + i);
      batch.add(entry("k" + i, "r" + i));
    }
    assertThat(store.putRecords("s", batch).failedRecordCount()).isZero();
    return written;
  }

  /** A subscriber that records what it is sent; it requests {@code initialRequest} on subscribe. */
  static final class Recorder implements Flow.Subscriber<SubscribeToShardEvent> {
    final BlockingQueue<SubscribeToShardEvent> events = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    private final CompletableFuture<Flow.Subscription> subscribed = new CompletableFuture<>();
    private final long initialRequest;
    volatile Flow.@Nullable Subscription subscription;
    volatile @Nullable String lastContinuation;

    Recorder(long initialRequest) {
      this.initialRequest = initialRequest;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      subscribed.complete(s);
      if (initialRequest > 0) {
        s.request(initialRequest);
      }
    }

    @Override
    public void onNext(SubscribeToShardEvent event) {
      events.add(event);
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }

    void awaitSubscribed() throws Exception {
      subscribed.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    SubscribeToShardEvent nextEvent() throws InterruptedException {
      SubscribeToShardEvent event = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(event).as("an event within %s s", WAIT_SECONDS).isNotNull();
      lastContinuation = event.continuationSequenceNumber();
      return event;
    }

    /** Takes events (heartbeats included) until they held exactly {@code count} records. */
    List<Record> awaitRecords(int count) throws InterruptedException {
      List<Record> records = new ArrayList<>();
      while (records.size() < count) {
        records.addAll(nextEvent().records());
      }
      assertThat(records).hasSize(count);
      return records;
    }

    void awaitDone() throws Exception {
      done.get(WAIT_SECONDS, TimeUnit.SECONDS);
      SubscribeToShardEvent last = null;
      for (SubscribeToShardEvent event : events) {
        last = event;
      }
      if (last != null) {
        lastContinuation = last.continuationSequenceNumber();
      }
    }

    Throwable awaitError() throws Exception {
      try {
        done.get(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        return e.getCause();
      }
      throw new AssertionError("the subscription completed instead of failing");
    }

    void awaitTerminated() throws Exception {
      try {
        done.get(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        // Ending with an error is fine too.
      } catch (TimeoutException e) {
        throw new AssertionError("the subscription neither completed nor failed within " + WAIT_SECONDS + " s", e);
      }
    }
  }
}
