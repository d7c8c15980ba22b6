package dev.freshet.kinesis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StreamMode;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On-demand scaling by the policy in {@link OnDemandScaler}: the clock moves 10 s per round (the
 * scaler's sampling interval) and each round writes a shard's load for those 10 s.
 */
class OnDemandScalingTest {
  private static final Duration ROUND = Duration.ofMillis(OnDemandScaler.SAMPLE_INTERVAL_MILLIS);
  /** 600 records/s for a round: over the 500 records/s at which a shard counts as hot. */
  private static final int HOT_ROUND = 6_000;
  /** 100 records/s for a round. */
  private static final int LIGHT_ROUND = 1_000;

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private LocalStreamStore store;

  private void open(int initialShards, int shardLimit) {
    store = LocalStreamStore.open(StoreConfig.builder(dir).setClock(clock)
        .setOnDemandInitialShards(initialShards).setShardLimit(shardLimit)
        .setMaintenanceInterval(Duration.ofDays(1)).build());
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void aHotShardSplitsAfterSixtySecondsAndOnlyIt() {
    open(2, 10);
    store.createStream(CreateStreamRequest.onDemand("s"));
    List<Shard> initial = openShards("s");
    assertThat(initial).hasSize(2);
    store.runMaintenance(); // the first sample

    for (int round = 1; round <= 5; round++) {
      load("s", initial.get(0), HOT_ROUND);
      load("s", initial.get(1), LIGHT_ROUND);
      clock.advance(ROUND);
      store.runMaintenance();
      assertThat(openShards("s")).as("after %s s", round * 10).hasSize(2);
    }
    load("s", initial.get(0), HOT_ROUND);
    load("s", initial.get(1), LIGHT_ROUND);
    clock.advance(ROUND);
    store.runMaintenance();

    List<Shard> after = openShards("s");
    assertThat(after).extracting(Shard::shardId).doesNotContain(initial.get(0).shardId())
        .contains(initial.get(1).shardId()).hasSize(3);
    List<Shard> children = after.stream()
        .filter(s -> initial.get(0).shardId().equals(s.parentShardId())).toList();
    assertThat(children).hasSize(2);
    // Split at the middle: each child takes half of the parent's range.
    HashKeyRange parent = initial.get(0).hashKeyRange();
    BigInteger half = parent.endingHashKey().subtract(parent.startingHashKey()).add(BigInteger.ONE).shiftRight(1);
    assertThat(children).allSatisfy(c -> assertThat(
        c.hashKeyRange().endingHashKey().subtract(c.hashKeyRange().startingHashKey()).add(BigInteger.ONE))
        .isEqualTo(half));
  }

  @Test
  void hotByBytesCountsToo() {
    open(1, 10);
    store.createStream(CreateStreamRequest.onDemand("s"));
    Shard shard = openShards("s").get(0);
    store.runMaintenance();
    for (int round = 1; round <= 6; round++) {
      // 60 records of 100 KiB per 10 s: 600 KiB/s, over the 512 KiB/s threshold, at 6 records/s.
      load("s", shard, 60, 100 * 1024);
      clock.advance(ROUND);
      store.runMaintenance();
    }
    assertThat(openShards("s")).hasSize(2);
  }

  @Test
  void lightLoadNeverSplits() {
    open(1, 10);
    store.createStream(CreateStreamRequest.onDemand("s"));
    Shard shard = openShards("s").get(0);
    store.runMaintenance();
    for (int round = 1; round <= 20; round++) {
      load("s", shard, LIGHT_ROUND);
      clock.advance(ROUND);
      store.runMaintenance();
    }
    assertThat(openShards("s")).hasSize(1);
  }

  @Test
  void burstsShorterThanSixtySecondsNeverSplit() {
    open(1, 10);
    store.createStream(CreateStreamRequest.onDemand("s"));
    Shard shard = openShards("s").get(0);
    store.runMaintenance();
    for (int round = 1; round <= 24; round++) {
      // Five hot rounds (50 s), then a quiet one: never 60 s in a row.
      load("s", shard, round % 6 == 0 ? 10 : HOT_ROUND);
      clock.advance(ROUND);
      store.runMaintenance();
    }
    assertThat(openShards("s")).hasSize(1);
  }

  @Test
  void provisionedStreamsNeverSplit() {
    open(1, 10);
    store.createStream(CreateStreamRequest.provisioned("p", 1));
    Shard shard = openShards("p").get(0);
    store.runMaintenance();
    for (int round = 1; round <= 8; round++) {
      load("p", shard, HOT_ROUND);
      clock.advance(ROUND);
      store.runMaintenance();
    }
    assertThat(openShards("p")).hasSize(1);
    assertThat(store.describeStreamSummary("p").streamMode()).isEqualTo(StreamMode.PROVISIONED);
  }

  @Test
  void scalingStopsAtTheShardLimit() {
    open(2, 3);
    store.createStream(CreateStreamRequest.onDemand("s"));
    store.runMaintenance();
    for (int round = 1; round <= 15; round++) {
      for (Shard shard : openShards("s")) {
        load("s", shard, HOT_ROUND);
      }
      clock.advance(ROUND);
      store.runMaintenance();
      assertThat(store.describeLimits().openShardCount()).isLessThanOrEqualTo(3);
    }
    // One split fits under the limit of 3; the other hot shard stays whole.
    assertThat(openShards("s")).hasSize(3);
  }

  @Test
  void keepsScalingWhileTheLoadLasts() {
    open(1, 10);
    store.createStream(CreateStreamRequest.onDemand("s"));
    store.runMaintenance();
    List<Integer> counts = new ArrayList<>();
    for (int round = 1; round <= 13; round++) {
      for (Shard shard : openShards("s")) {
        load("s", shard, HOT_ROUND);
      }
      clock.advance(ROUND);
      store.runMaintenance();
      counts.add(openShards("s").size());
    }
    // The children are measured from their split at 60 s, so the range doubles once a minute.
    assertThat(counts.get(4)).isEqualTo(1);
    assertThat(counts.get(5)).isEqualTo(2);
    assertThat(counts.get(10)).isEqualTo(2);
    assertThat(counts.get(11)).isEqualTo(4);
  }

  private List<Shard> openShards(String stream) {
    return store.describeStream(stream).shards().stream().filter(Shard::isOpen).toList();
  }

  private void load(String stream, Shard shard, int records) {
    load(stream, shard, records, 10);
  }

  /** Writes {@code records} records into {@code shard} through explicit hash keys in its range. */
  private void load(String stream, Shard shard, int records, int bytes) {
    String hashKey = shard.hashKeyRange().startingHashKey().toString();
    List<PutRecordsEntry> batch = new ArrayList<>();
    long batchBytes = 0;
    for (int i = 0; i < records; i++) {
      batch.add(PutRecordsEntry.of("k" + i, hashKey, new byte[bytes]));
      batchBytes += bytes;
      if (batch.size() == 500 || batchBytes + bytes > (4 << 20) || i == records - 1) {
        assertThat(store.putRecords(stream, batch).failedRecordCount()).isZero();
        batch = new ArrayList<>();
        batchBytes = 0;
      }
    }
  }
}
