package dev.freshet.cli;

import dev.freshet.sdk.stream.StreamClient;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes numbered records ({@link StreamContents#payload(long)}) to a stream on a thread of its own,
 * about {@code perSecond} a second, until stopped: input that keeps arriving while a pipeline runs.
 */
final class NumberedProducer implements AutoCloseable {
  private static final int BATCH = 500;

  private final AtomicLong next;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Thread thread;
  private volatile boolean running = true;

  /** Starts writing from record number {@code first}. */
  NumberedProducer(StreamClient client, String stream, long first, int perSecond) {
    this.next = new AtomicLong(first);
    long pauseMillis = Math.max(1, 1000L * BATCH / perSecond);
    this.thread = new Thread(() -> {
      try {
        while (running) {
          long from = next.get();
          StreamContents.putNumbered(client, stream, from, from + BATCH);
          next.set(from + BATCH);
          Thread.sleep(pauseMillis);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException | AssertionError e) {
        failure.set(e);
      }
    }, "numbered-producer-" + stream);
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops writing and returns the number after the last record written. */
  long stop() throws InterruptedException {
    running = false;
    thread.join();
    if (failure.get() != null) {
      throw new AssertionError("the producer failed", failure.get());
    }
    return next.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join();
  }
}
