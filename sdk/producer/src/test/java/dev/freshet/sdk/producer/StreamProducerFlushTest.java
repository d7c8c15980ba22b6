package dev.freshet.sdk.producer;

import static dev.freshet.sdk.producer.StreamProducerTest.readAll;
import static dev.freshet.sdk.producer.StreamProducerTest.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.kinesis.store.ThrottlingMode;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StreamClient;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StreamProducer#flush()} returns once every record sent before it is settled, whatever the
 * client throws, and with other threads sending, flushing and closing meanwhile. The client is the
 * real embedded store, seen through a proxy that throws on chosen PutRecords calls.
 */
class StreamProducerFlushTest {
  /** Far above what the flushes here take; only a flush that never returns reaches it. */
  private static final Duration HANG = Duration.ofSeconds(30);

  @TempDir Path dir;
  private LocalStreamStore store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private StreamClient open(String stream, int shards) {
    store = LocalStreamStore.open(StoreConfig.builder(dir).setThrottling(ThrottlingMode.OFF).build());
    store.createStream(CreateStreamRequest.provisioned(stream, shards));
    return store;
  }

  /** {@code client}, except that PutRecords call number n (from 1) throws {@code failure.apply(n)} if not null. */
  private static StreamClient throwingOnPut(StreamClient client, IntFunction<Throwable> failure) {
    AtomicInteger puts = new AtomicInteger();
    return (StreamClient) Proxy.newProxyInstance(StreamClient.class.getClassLoader(),
        new Class<?>[] {StreamClient.class}, (proxy, method, args) -> {
          if (method.getName().equals("putRecords")) {
            Throwable thrown = failure.apply(puts.incrementAndGet());
            if (thrown != null) {
              throw thrown;
            }
          }
          try {
            return method.invoke(client, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void anErrorThrownByTheClientFailsItsBatchAndFlushReturnsAndTheNextBatchIsWritten() {
    StreamClient client = open("fragile", 1);
    // An Error, not an exception: what a client throws when it runs out of (direct) memory or a class
    // fails to load. Before the fix it killed the sender thread, and every later flush() waited for ever.
    StreamClient failing = throwingOnPut(client,
        n -> n == 1 ? new OutOfMemoryError("Direct buffer memory (thrown by the test)") : null);
    StreamProducer producer = StreamProducer.builder(failing).lingerTime(Duration.ofSeconds(60)).build();
    try {
      List<CompletableFuture<PutRecordResult>> first = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        first.add(producer.send("fragile", PutRecordsEntry.of("k" + i, "lost-" + i)));
      }
      assertTimeoutPreemptively(HANG, producer::flush, "flush after a batch whose PutRecords threw an Error");
      assertThat(first).allSatisfy(f -> assertThat(f).failsWithin(Duration.ZERO)
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .havingCause().isInstanceOf(RecordFailedException.class)
          .havingCause().isInstanceOf(OutOfMemoryError.class));

      List<CompletableFuture<PutRecordResult>> second = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        second.add(producer.send("fragile", PutRecordsEntry.of("k" + i, "kept-" + i)));
      }
      assertTimeoutPreemptively(HANG, producer::flush, "flush of the batch after it");
      assertThat(second).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
      ProducerMetrics metrics = producer.metrics();
      assertThat(metrics.recordsSent()).isEqualTo(10);
      assertThat(metrics.recordsFailed()).isEqualTo(10);
      assertThat(metrics.inFlightRecords()).isZero();
      assertThat(metrics.inFlightBytes()).isZero();
    } finally {
      // close() flushes too: bounded, so that a producer that hangs fails the test instead of hanging it.
      assertTimeoutPreemptively(HANG, producer::close, "close");
    }
    assertThat(readAll(client, "fragile")).extracting(r -> utf8(r.data()))
        .containsExactlyInAnyOrder("kept-0", "kept-1", "kept-2", "kept-3", "kept-4", "kept-5", "kept-6", "kept-7",
            "kept-8", "kept-9");
  }

  @Test
  void concurrentSendsAndFlushesAllReturnWhileCallsFailWithErrorsExceptionsAndRetries() throws Exception {
    StreamClient client = open("busy", 2);
    // Every 7th call throws an Error, every 5th a retryable InternalFailure (the records go to the
    // retry queue while flushes wait for them), the rest go through.
    StreamClient flaky = throwingOnPut(client, n -> n % 7 == 0 ? new StackOverflowError("thrown by the test")
        : n % 5 == 0 ? new dev.freshet.sdk.stream.errors.InternalFailureException("thrown by the test") : null);
    int threads = 4;
    int perThread = 600;
    List<CompletableFuture<PutRecordResult>> all = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    StreamProducer producer = StreamProducer.builder(flaky)
        .maxBatchRecords(25).lingerTime(Duration.ofMillis(1))
        .backoff(Duration.ofMillis(1), Duration.ofMillis(5)).maxAttempts(4).build();
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            CompletableFuture<PutRecordResult> sent =
                producer.send("busy", PutRecordsEntry.of("t" + thread + "-" + (i % 13), "t" + thread + "-" + i));
            all.add(sent);
            if (i % 50 == 49) {
              producer.flush();
              assertThat(sent).as("a record sent before flush() returned").isDone();
            }
          }
          producer.flush();
          return null;
        }));
      }
      start.countDown();
      assertTimeoutPreemptively(HANG, () -> {
        for (Future<?> f : done) {
          f.get();
        }
      }, "threads sending and flushing");
    } finally {
      pool.shutdownNow();
      assertTimeoutPreemptively(HANG, producer::close, "close");
    }
    assertThat(all).hasSize(threads * perThread).allMatch(CompletableFuture::isDone);
    long succeeded = all.stream().filter(f -> !f.isCompletedExceptionally()).count();
    ProducerMetrics metrics = producer.metrics();
    assertThat(metrics.recordsSent()).isEqualTo(succeeded);
    assertThat(metrics.recordsFailed()).isEqualTo(threads * perThread - succeeded).isPositive();
    assertThat(metrics.retries()).isPositive();
    assertThat(metrics.inFlightRecords()).isZero();
    assertThat(metrics.inFlightBytes()).isZero();
    List<String> written = new ArrayList<>();
    for (CompletableFuture<PutRecordResult> f : all) {
      if (!f.isCompletedExceptionally()) {
        written.add(f.join().sequenceNumber());
      }
    }
    // The failures are thrown before the store sees the call, so exactly the acknowledged records are stored.
    assertThat(readAll(client, "busy")).extracting(r -> r.sequenceNumber())
        .containsExactlyInAnyOrderElementsOf(written);
    assertThat(all.stream().filter(CompletableFuture::isCompletedExceptionally).map(f -> {
      try {
        f.join();
        return null;
      } catch (CompletionException e) {
        return e.getCause();
      }
    })).allSatisfy(e -> assertThat(e).isInstanceOf(RecordFailedException.class));
  }
}
