package dev.freshet.kinesis.store;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.sdk.stream.StreamMode;
import dev.freshet.sdk.stream.StreamStatus;
import dev.freshet.sdk.stream.errors.InternalFailureException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention and the store's background work. Retention: the cutoff of a stream's retention
 * period, which shards a listing still shows, and trimming (whole expired segments, closed shards
 * past retention). Background work, every {@link StoreConfig#maintenanceInterval()} on a thread of
 * its own: finishing delayed deletions, applying retention, scaling on-demand streams out and
 * ending subscriptions that reached their lifetime.
 */
final class StoreMaintenance {
  private static final Logger LOG = LoggerFactory.getLogger(StoreMaintenance.class);

  private final LocalStreamStore store;
  private final StoreConfig config;
  private final Resharding resharding;
  private final Subscriptions subscriptions;
  private final OnDemandScaler scaler;
  private final ScheduledExecutorService executor;

  StoreMaintenance(LocalStreamStore store, Resharding resharding, Subscriptions subscriptions) {
    this.store = checkNotNull(store, "store");
    this.config = store.config();
    this.resharding = checkNotNull(resharding, "resharding");
    this.subscriptions = checkNotNull(subscriptions, "subscriptions");
    this.scaler = new OnDemandScaler(config);
    this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "freshet-store-maintenance");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Schedules the background rounds; called once the store is fully built. */
  void start() {
    long interval = config.maintenanceInterval().toMillis();
    executor.scheduleWithFixedDelay(this::runQuietly, interval, interval, TimeUnit.MILLISECONDS);
  }

  /** Stops the background rounds, waiting up to 10 seconds for one in progress. */
  void stop() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void runQuietly() {
    try {
      run();
    } catch (RuntimeException e) {
      LOG.warn("Store maintenance failed; it runs again in {}", config.maintenanceInterval(), e);
    }
  }

  /** One round of background work (see {@link LocalStreamStore#runMaintenance()}). */
  void run() {
    if (store.isClosed()) {
      return;
    }
    for (StreamState stream : List.copyOf(store.streams())) {
      StreamStatus status = stream.status(store.now());
      if (status == StreamStatus.DELETING) {
        if (store.now() >= stream.statusUntilMillis()) {
          store.finishDelete(stream);
        }
        continue;
      }
      applyRetention(stream);
      if (stream.mode() == StreamMode.ON_DEMAND && status == StreamStatus.ACTIVE) {
        scaler.evaluate(resharding, stream, store.now());
      }
    }
    subscriptions.expire(store.now());
  }

  // ---- retention ----

  /** Trims a stream to its retention period: expired segments, and closed shards past it. */
  void applyRetention(StreamState stream) {
    long cutoff = retentionCutoff(stream);
    try {
      for (ShardState shard : stream.shards()) {
        shard.log.deleteSegmentsBefore(cutoff);
        shard.trimComputedAtMillis = Long.MIN_VALUE;
      }
      stream.dropExpiredClosedShards(cutoff);
    } catch (IOException e) {
      throw new InternalFailureException("retention of stream " + stream.name + " failed: " + e, e);
    }
  }

  /** The time before which a stream's records are past retention. */
  long retentionCutoff(StreamState stream) {
    return store.now() - stream.retentionHours() * 3_600_000L;
  }

  /** Whether a shard is still listed: open, closed within retention, or holding records within it. */
  static boolean withinRetention(ShardState shard, long cutoff) {
    Long closed = shard.closedMillis();
    return closed == null || closed >= cutoff || shard.log.lastTimestampMillis() >= cutoff;
  }
}
