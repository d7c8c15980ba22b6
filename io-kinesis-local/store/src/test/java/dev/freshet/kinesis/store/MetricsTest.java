package dev.freshet.kinesis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.ShardMetrics;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamMetrics;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-shard counters and their stream totals, readable through the Java API. */
class MetricsTest {
  private static final String SHARD0 = "shardId-000000000000";
  private static final String SHARD1 = "shardId-000000000001";
  private static final String LOW = "1";
  private static final String HIGH = BigInteger.ONE.shiftLeft(127).add(BigInteger.ONE).toString();

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private LocalStreamStore store;

  @BeforeEach
  void open() {
    store = LocalStreamStore.open(StoreConfig.builder(dir).setClock(clock)
        .setMaintenanceInterval(Duration.ofDays(1)).build());
    store.createStream(CreateStreamRequest.provisioned("s", 2));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aNewStreamHasZeroCountersForEveryShard() {
    StreamMetrics metrics = store.metrics("s");
    assertThat(metrics.streamName()).isEqualTo("s");
    assertThat(metrics.shards()).containsOnlyKeys(SHARD0, SHARD1);
    assertThat(metrics.shards().values()).allSatisfy(m -> assertThat(m).isEqualTo(ShardMetrics.of(0, 0, 0, 0, 0, 0, 0)));
    assertThat(store.metrics("arn:aws:kinesis:us-east-1:000000000000:stream/s")).isEqualTo(metrics);
    assertThatThrownBy(() -> store.metrics("nope")).isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void countsIncomingAndOutgoingRecordsAndBytesPerShardAndInTotal() {
    // Shard 0: 3 records of key "key" (3 bytes) and 10 bytes of data; shard 1: 2 of "k" and 100.
    List<PutRecordsEntry> batch = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      batch.add(PutRecordsEntry.of("key", LOW, new byte[10]));
    }
    store.putRecords("s", batch);
    store.putRecord("s", PutRecordsEntry.of("k", HIGH, new byte[100]), null);
    store.putRecord("s", PutRecordsEntry.of("k", HIGH, new byte[100]), null);

    StreamMetrics in = store.metrics("s");
    assertThat(in.shards().get(SHARD0).incomingRecords()).isEqualTo(3);
    assertThat(in.shards().get(SHARD0).incomingBytes()).isEqualTo(3 * 13);
    assertThat(in.shards().get(SHARD1).incomingRecords()).isEqualTo(2);
    assertThat(in.shards().get(SHARD1).incomingBytes()).isEqualTo(2 * 101);
    assertThat(in.incomingRecords()).isEqualTo(5);
    assertThat(in.incomingBytes()).isEqualTo(39 + 202);
    assertThat(in.outgoingRecords()).isZero();

    assertThat(StoreTesting.readAll(store, "s", SHARD0, StartingPosition.trimHorizon())).hasSize(3);
    StreamMetrics out = store.metrics("s");
    assertThat(out.shards().get(SHARD0).outgoingRecords()).isEqualTo(3);
    assertThat(out.shards().get(SHARD0).outgoingBytes()).isEqualTo(39);
    assertThat(out.shards().get(SHARD1).outgoingRecords()).isZero();
    assertThat(out.outgoingRecords()).isEqualTo(3);

    // Reading again counts again: the counters are of reads, not of distinct records.
    StoreTesting.readAll(store, "s", SHARD0, StartingPosition.trimHorizon());
    StoreTesting.readAll(store, "s", SHARD1, StartingPosition.trimHorizon());
    StreamMetrics twice = store.metrics("s");
    assertThat(twice.outgoingRecords()).isEqualTo(3 + 3 + 2);
    assertThat(twice.outgoingBytes()).isEqualTo(39 + 39 + 202);
  }

  @Test
  void encryptedRecordsCountTheirOwnBytesNotTheirSealedSize() {
    store.startStreamEncryption("s", "alias/aws/kinesis");
    store.putRecord("s", PutRecordsEntry.of("key", LOW, new byte[100]), null);
    StoreTesting.readAll(store, "s", SHARD0, StartingPosition.trimHorizon());
    ShardMetrics metrics = store.metrics("s").shards().get(SHARD0);
    assertThat(metrics.incomingBytes()).isEqualTo(103);
    assertThat(metrics.outgoingBytes()).isEqualTo(103);
  }

  @Test
  void iteratorAgeIsHowFarBehindTheNewestRecordAReadIs() {
    for (int i = 0; i < 3; i++) {
      store.putRecord("s", PutRecordsEntry.of("k", LOW, "early".getBytes(StandardCharsets.UTF_8)), null);
    }
    clock.advance(Duration.ofMinutes(1));
    store.putRecord("s", PutRecordsEntry.of("k", LOW, "late".getBytes(StandardCharsets.UTF_8)), null);

    String iterator = store.getShardIterator("s", SHARD0, StartingPosition.trimHorizon());
    GetRecordsResult behind = store.getRecords(iterator, 2);
    assertThat(behind.millisBehindLatest()).isEqualTo(60_000);
    assertThat(store.metrics("s").shards().get(SHARD0).iteratorAgeMillis()).isEqualTo(60_000);
    assertThat(store.metrics("s").iteratorAgeMillis()).isEqualTo(60_000);
    assertThat(store.metrics("s").shards().get(SHARD1).iteratorAgeMillis()).isZero();

    GetRecordsResult caughtUp = store.getRecords(behind.nextShardIterator(), 10);
    assertThat(caughtUp.records()).extracting(StoreTesting::text).containsExactly("early", "late");
    assertThat(caughtUp.millisBehindLatest()).isZero();
    assertThat(store.metrics("s").iteratorAgeMillis()).isZero();
  }

  @Test
  void reshardedStreamsKeepTheCountersOfEveryShard() {
    store.putRecord("s", PutRecordsEntry.of("k", LOW, new byte[5]), null);
    store.splitShard("s", SHARD0, BigInteger.ONE.shiftLeft(126));
    store.putRecord("s", PutRecordsEntry.of("k", LOW, new byte[5]), null);
    StreamMetrics metrics = store.metrics("s");
    assertThat(metrics.shards()).containsOnlyKeys(SHARD0, SHARD1, "shardId-000000000002", "shardId-000000000003");
    assertThat(metrics.shards().get(SHARD0).incomingRecords()).isEqualTo(1);
    assertThat(metrics.shards().get("shardId-000000000002").incomingRecords()).isEqualTo(1);
    assertThat(metrics.incomingRecords()).isEqualTo(2);
  }
}
