package dev.freshet.sdk.io;

import dev.freshet.sdk.producer.RecordFailedException;
import dev.freshet.sdk.producer.StreamProducer;
import dev.freshet.sdk.stream.PutRecordResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StreamClients;
import dev.freshet.sdk.stream.errors.StreamException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.beam.sdk.transforms.DoFn;
import org.jspecify.annotations.Nullable;

/**
 * The writer of {@link StreamIO.Write}: one {@link StreamProducer} per instance sends every element;
 * {@code @FinishBundle} flushes and fails the bundle if any of its records failed, so a bundle that
 * did not fail is completely written.
 */
final class StreamWriterFn<T> extends DoFn<T, Void> {
  private static final long serialVersionUID = 1L;

  /** Above this many unsettled futures in a bundle, settled ones are dropped to bound memory. */
  private static final int PRUNE_THRESHOLD = 10_000;

  private final StreamIO.Write<T> spec;

  private transient StreamClients.@Nullable Lease lease;
  private transient @Nullable StreamProducer producer;
  private transient @Nullable Bundle bundle;

  StreamWriterFn(StreamIO.Write<T> spec) {
    this.spec = spec;
  }

  /**
   * One bundle's records in flight. Callbacks capture their own bundle, so a late failure from a
   * bundle that already failed cannot fail the next one.
   */
  private static final class Bundle {
    final List<Sent> sent = new ArrayList<>();
    final AtomicReference<Sent> firstFailure = new AtomicReference<>();
  }

  private static final class Sent {
    final String partitionKey;
    final CompletableFuture<PutRecordResult> future;

    Sent(String partitionKey, CompletableFuture<PutRecordResult> future) {
      this.partitionKey = partitionKey;
      this.future = future;
    }

    @Nullable Throwable failure() {
      if (!future.isCompletedExceptionally()) {
        return null;
      }
      try {
        future.join();
        return null;
      } catch (CompletionException e) {
        return e.getCause() == null ? e : e.getCause();
      } catch (java.util.concurrent.CancellationException e) {
        return e;
      }
    }
  }

  @Setup
  public void setup() {
    lease = StreamClients.acquire(spec.endpoint());
    producer = StreamProducer.builder(lease.client()).config(spec.producerConfig()).build();
  }

  @StartBundle
  public void startBundle() {
    bundle = new Bundle();
  }

  @ProcessElement
  public void processElement(@Element T element) throws IOException {
    Bundle current = bundle;
    throwIfFailed(current);
    PutRecordsEntry entry = spec.toEntry(element);
    CompletableFuture<PutRecordResult> future = producer.send(spec.streamName(), entry);
    Sent sent = new Sent(entry.partitionKey(), future);
    future.whenComplete((result, error) -> {
      if (error != null) {
        current.firstFailure.compareAndSet(null, sent);
      }
    });
    current.sent.add(sent);
    if (current.sent.size() >= PRUNE_THRESHOLD) {
      prune(current);
    }
  }

  @FinishBundle
  public void finishBundle() throws IOException {
    Bundle current = bundle;
    bundle = null;
    producer.flush();
    // flush() returns once every future is settled; look at each rather than at firstFailure, whose
    // callback may still be running on the sender thread.
    int failed = 0;
    Sent first = null;
    for (Sent sent : current.sent) {
      if (sent.failure() != null) {
        failed++;
        if (first == null) {
          first = sent;
        }
      }
    }
    if (first != null) {
      throw failure(first, failed + " of the bundle's last " + current.sent.size() + " records");
    }
  }

  @Teardown
  public void teardown() {
    try {
      if (producer != null) {
        producer.close();
      }
    } finally {
      producer = null;
      if (lease != null) {
        lease.close();
        lease = null;
      }
    }
  }

  private void throwIfFailed(Bundle current) throws IOException {
    Sent failed = current.firstFailure.get();
    if (failed != null) {
      throw failure(failed, "a record sent earlier in this bundle");
    }
  }

  private static void prune(Bundle current) {
    for (Iterator<Sent> it = current.sent.iterator(); it.hasNext(); ) {
      Sent sent = it.next();
      if (sent.future.isDone() && !sent.future.isCompletedExceptionally()) {
        it.remove();
      }
    }
  }

  private IOException failure(Sent sent, String which) {
    Throwable cause = sent.failure();
    String code = cause instanceof RecordFailedException
        ? ((RecordFailedException) cause).errorCode()
        : cause instanceof StreamException ? ((StreamException) cause).errorCode()
        : cause == null ? "unknown" : cause.getClass().getSimpleName();
    return new IOException("Failed to write to stream " + spec.streamName() + " at " + spec.endpoint()
        + ": " + which + " failed, the first (partition key '" + sent.partitionKey + "') with "
        + code + ": " + (cause == null ? "unknown" : cause.getMessage()), cause);
  }
}
