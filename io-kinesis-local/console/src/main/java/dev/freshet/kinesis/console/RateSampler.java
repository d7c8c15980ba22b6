package dev.freshet.kinesis.console;

import dev.freshet.sdk.stream.ListStreamsResult;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamMetrics;
import dev.freshet.sdk.stream.StreamSummary;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incoming and outgoing records per second of every stream, sampled once a second from the store's
 * counters (the ones {@code GET /metrics} shows), the last {@link #POINTS} seconds kept per stream
 * for the console's live charts. One daemon thread; a sample costs one metrics call per stream.
 */
final class RateSampler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RateSampler.class);
  static final int POINTS = 300;

  /** One sample: when, and records per second in and out since the previous one. */
  record Point(long millis, double incoming, double outgoing) {}

  private record Totals(long millis, long incoming, long outgoing) {}

  private final StreamClient store;
  private final ScheduledExecutorService timer;
  private final Map<String, Totals> last = new ConcurrentHashMap<>();
  private final Map<String, Deque<Point>> points = new ConcurrentHashMap<>();

  RateSampler(StreamClient store) {
    this.store = store;
    this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "freshet-console-rates");
      thread.setDaemon(true);
      return thread;
    });
  }

  void start() {
    timer.scheduleWithFixedDelay(this::sampleQuietly, 0, 1, TimeUnit.SECONDS);
  }

  private void sampleQuietly() {
    try {
      sample(System.currentTimeMillis());
    } catch (RuntimeException e) {
      LOG.debug("Console: sampling the stream rates failed", e);
    }
  }

  /** Reads every stream's counters and appends a point to each stream that had a previous sample. */
  void sample(long nowMillis) {
    Set<String> seen = new HashSet<>();
    String token = null;
    do {
      ListStreamsResult page = store.listStreams(token, 10_000);
      for (StreamSummary summary : page.streams()) {
        StreamMetrics metrics;
        try {
          metrics = store.metrics(summary.streamName());
        } catch (ResourceNotFoundException deleted) {
          continue;
        }
        seen.add(summary.streamName());
        Totals now = new Totals(nowMillis, metrics.incomingRecords(), metrics.outgoingRecords());
        Totals before = last.put(summary.streamName(), now);
        if (before != null && now.millis > before.millis) {
          double seconds = (now.millis - before.millis) / 1000.0;
          Point point = new Point(nowMillis, Math.max(0, now.incoming - before.incoming) / seconds,
              Math.max(0, now.outgoing - before.outgoing) / seconds);
          Deque<Point> deque = points.computeIfAbsent(summary.streamName(), k -> new ArrayDeque<>());
          synchronized (deque) {
            deque.addLast(point);
            while (deque.size() > POINTS) {
              deque.removeFirst();
            }
          }
        }
      }
      token = page.nextToken();
    } while (token != null);
    last.keySet().retainAll(seen);
    points.keySet().retainAll(seen);
  }

  /** The kept points of {@code stream}, oldest first; empty for a stream not sampled twice yet. */
  List<Point> points(String stream) {
    Deque<Point> deque = points.get(stream);
    if (deque == null) {
      return List.of();
    }
    synchronized (deque) {
      return new ArrayList<>(deque);
    }
  }

  /** The newest point of {@code stream}, or null. */
  Point latest(String stream) {
    Deque<Point> deque = points.get(stream);
    if (deque == null) {
      return null;
    }
    synchronized (deque) {
      return deque.peekLast();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
