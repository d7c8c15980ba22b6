package dev.freshet.kinesis.store;

import static dev.freshet.kinesis.store.StoreTesting.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.errors.ExpiredIteratorException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention and iterator expiry, driven by an injected clock: no sleeps. */
class RetentionAndExpiryTest {
  private static final String SHARD = "shardId-000000000000";

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private LocalStreamStore store;

  @BeforeEach
  void open() {
    // Segments roll after 1 s, so records written hours apart sit in different files.
    store = LocalStreamStore.open(StoreConfig.builder(dir).setClock(clock)
        .setSegmentMaxAge(Duration.ofSeconds(1)).setMaintenanceInterval(Duration.ofDays(1)).build());
    store.createStream(CreateStreamRequest.provisioned("s", 1));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void recordsPastRetentionDisappearWithTheirSegments() throws IOException {
    String old = put("old-1");
    put("old-2");
    clock.advance(Duration.ofHours(12));
    String recent = put("recent");
    assertThat(segments(SHARD)).hasSize(2);
    Path oldSegment = segments(SHARD).get(0);

    clock.advance(Duration.ofHours(12).plusSeconds(1));
    // Out of reach at once...
    assertThat(readAll()).extracting(StoreTesting::text).containsExactly("recent");
    assertThat(readAll().get(0).sequenceNumber()).isEqualTo(recent);
    // ...and off the disk, as whole files, once maintenance runs.
    store.runMaintenance();
    assertThat(Files.exists(oldSegment)).isFalse();
    assertThat(segments(SHARD)).hasSize(1);
    assertThat(readAll()).extracting(StoreTesting::text).containsExactly("recent");
    // An iterator asked for at a trimmed record starts at what is left.
    GetRecordsResult page = store.getRecords(
        store.getShardIterator("s", SHARD, StartingPosition.atSequenceNumber(old)), 100);
    assertThat(page.records()).extracting(StoreTesting::text).containsExactly("recent");

    clock.advance(Duration.ofHours(12));
    store.runMaintenance();
    assertThat(readAll()).isEmpty();
    assertThat(segments(SHARD)).hasSize(1); // the new, empty active segment
    String next = put("next");
    assertThat(readAll()).extracting(Record::sequenceNumber).containsExactly(next);
    assertThat(next).isGreaterThan(recent); // numbering goes on
  }

  @Test
  void recordsWithinRetentionStay() throws IOException {
    put("a");
    clock.advance(Duration.ofHours(24).minusSeconds(1));
    store.runMaintenance();
    assertThat(readAll()).extracting(StoreTesting::text).containsExactly("a");
    assertThat(segments(SHARD)).hasSize(1);
  }

  @Test
  void longerRetentionKeepsRecordsAndDecreasingItTrimsAtOnce() throws IOException {
    store.increaseStreamRetentionPeriod("s", 168);
    put("two-days-old");
    clock.advance(Duration.ofHours(48));
    put("fresh");
    clock.advance(Duration.ofHours(1));
    store.runMaintenance();
    assertThat(readAll()).extracting(StoreTesting::text).containsExactly("two-days-old", "fresh");
    Path oldSegment = segments(SHARD).get(0);

    store.decreaseStreamRetentionPeriod("s", 24);
    // No maintenance round: the decrease itself trims.
    assertThat(Files.exists(oldSegment)).isFalse();
    assertThat(readAll()).extracting(StoreTesting::text).containsExactly("fresh");
  }

  @Test
  void iteratorsExpireAfterFiveMinutesAndNotBefore() {
    put("a");
    put("b");
    String iterator = store.getShardIterator("s", SHARD, StartingPosition.trimHorizon());
    clock.advance(Duration.ofMinutes(5));
    GetRecordsResult page = store.getRecords(iterator, 1);
    assertThat(page.records()).extracting(StoreTesting::text).containsExactly("a");

    clock.advance(Duration.ofMillis(1));
    assertThatThrownBy(() -> store.getRecords(iterator, 1))
        .isInstanceOf(ExpiredIteratorException.class).hasMessageContaining("expired");
    // The iterator a read returns is new: it has its own five minutes.
    clock.advance(Duration.ofMinutes(4));
    assertThat(store.getRecords(page.nextShardIterator(), 1).records())
        .extracting(StoreTesting::text).containsExactly("b");
  }

  @Test
  void closedShardsPastRetentionDropOut() throws IOException {
    put("in-parent");
    store.splitShard("s", SHARD, BigInteger.ONE.shiftLeft(127));
    put("in-child");
    assertThat(shardIds()).containsExactly(SHARD, "shardId-000000000001", "shardId-000000000002");

    clock.advance(Duration.ofHours(23));
    store.runMaintenance();
    assertThat(shardIds()).contains(SHARD);

    clock.advance(Duration.ofHours(1).plusSeconds(1));
    assertThat(shardIds()).containsExactly("shardId-000000000001", "shardId-000000000002");
    assertThat(store.describeStream("s").shards()).extracting(Shard::shardId)
        .containsExactly("shardId-000000000001", "shardId-000000000002");
    store.runMaintenance();
    assertThat(shardIds()).containsExactly("shardId-000000000001", "shardId-000000000002");
    assertThat(Files.exists(dir.resolve("streams/s/shards").resolve(SHARD))).isFalse();
    assertThatThrownBy(() -> store.getShardIterator("s", SHARD, StartingPosition.trimHorizon()))
        .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining(SHARD);
    // The children are open, so they stay even with nothing left in them.
    store.close();
    store = LocalStreamStore.open(StoreConfig.builder(dir).setClock(clock).build());
    assertThat(shardIds()).containsExactly("shardId-000000000001", "shardId-000000000002");
  }

  private String put(String data) {
    return store.putRecord("s", entry("k", data), null).sequenceNumber();
  }

  private List<Record> readAll() {
    return StoreTesting.readAll(store, "s", SHARD, StartingPosition.trimHorizon());
  }

  private List<String> shardIds() {
    return store.listShards(ListShardsRequest.of("s")).shards().stream().map(Shard::shardId).toList();
  }

  private List<Path> segments(String shardId) throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("streams/s/shards").resolve(shardId))) {
      return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
    }
  }
}
