package dev.freshet.kinesis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.PutRecordsResultEntry;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamMetrics;
import dev.freshet.sdk.stream.errors.ProvisionedThroughputExceededException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-shard limits of {@code throttling: aws}, and their absence with {@code off}. */
class ThrottlingTest {
  private static final String SHARD0 = "shardId-000000000000";
  private static final String SHARD1 = "shardId-000000000001";
  /** Explicit hash keys inside the first and the second half of the key space. */
  private static final String LOW = "1";
  private static final String HIGH = BigInteger.ONE.shiftLeft(127).add(BigInteger.ONE).toString();
  private static final int KIB_100 = 100 * 1024;

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private LocalStreamStore store;

  private void open(ThrottlingMode mode) {
    store = LocalStreamStore.open(StoreConfig.builder(dir).setClock(clock).setThrottling(mode)
        .setMaintenanceInterval(Duration.ofDays(1)).build());
    store.createStream(CreateStreamRequest.provisioned("s", 2));
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void moreThanAThousandRecordsPerSecondFailPerEntry() {
    open(ThrottlingMode.AWS);
    assertThat(store.putRecords("s", records(LOW, 500, 1)).failedRecordCount()).isZero();
    assertThat(store.putRecords("s", records(LOW, 400, 1)).failedRecordCount()).isZero();

    // 100 records of shard 0's capacity are left this second; the other shard has all of its own.
    List<PutRecordsEntry> mixed = new ArrayList<>();
    mixed.addAll(records(LOW, 300, 1));
    mixed.addAll(records(HIGH, 200, 1));
    PutRecordsResult result = store.putRecords("s", mixed);
    assertThat(result.failedRecordCount()).isEqualTo(200);
    List<PutRecordsResultEntry> entries = result.records();
    assertThat(entries.subList(0, 100)).allSatisfy(e -> {
      assertThat(e.isSuccessful()).isTrue();
      assertThat(e.shardId()).isEqualTo(SHARD0);
    });
    assertThat(entries.subList(100, 300)).allSatisfy(e -> {
      assertThat(e.errorCode()).isEqualTo("ProvisionedThroughputExceededException");
      assertThat(e.errorMessage()).contains(SHARD0).contains("s");
      assertThat(e.sequenceNumber()).isNull();
    });
    assertThat(entries.subList(300, 500)).allSatisfy(e -> assertThat(e.shardId()).isEqualTo(SHARD1));

    assertThatThrownBy(() -> store.putRecord("s", hashed(LOW, 1), null))
        .isInstanceOf(ProvisionedThroughputExceededException.class).hasMessageContaining(SHARD0);
    store.putRecord("s", hashed(HIGH, 1), null);

    StreamMetrics metrics = store.metrics("s");
    assertThat(metrics.shards().get(SHARD0).writeProvisionedThroughputExceeded()).isEqualTo(201);
    assertThat(metrics.shards().get(SHARD1).writeProvisionedThroughputExceeded()).isZero();
    assertThat(metrics.shards().get(SHARD0).incomingRecords()).isEqualTo(1000);
    assertThat(metrics.throttledRequests()).isEqualTo(201);

    // Capacity refills with time: a tenth of a second gives a hundred records back.
    clock.advance(Duration.ofMillis(100));
    assertThat(store.putRecords("s", records(LOW, 100, 1)).failedRecordCount()).isZero();
    assertThat(store.putRecords("s", records(LOW, 1, 1)).failedRecordCount()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(store.putRecords("s", records(LOW, 500, 1)).failedRecordCount()).isZero();
  }

  @Test
  void moreThanOneMebibytePerSecondFailsPerEntry() {
    open(ThrottlingMode.AWS);
    // Ten records of 100 KiB plus a one-byte key fit in 1 MiB; the eleventh does not.
    PutRecordsResult result = store.putRecords("s", records(LOW, 12, KIB_100));
    assertThat(result.failedRecordCount()).isEqualTo(2);
    assertThat(result.records().subList(0, 10)).allMatch(PutRecordsResultEntry::isSuccessful);
    assertThat(result.records().subList(10, 12)).noneMatch(PutRecordsResultEntry::isSuccessful);
    assertThatThrownBy(() -> store.putRecord("s", hashed(LOW, KIB_100), null))
        .isInstanceOf(ProvisionedThroughputExceededException.class);
    assertThat(store.metrics("s").shards().get(SHARD0).incomingBytes()).isEqualTo(10L * (KIB_100 + 1));

    clock.advance(Duration.ofSeconds(1));
    assertThat(store.putRecords("s", records(LOW, 10, KIB_100)).failedRecordCount()).isZero();
  }

  @Test
  void theSixthGetRecordsInOneSecondIsRefused() {
    open(ThrottlingMode.AWS);
    store.putRecord("s", hashed(LOW, 10), null);
    String iterator = store.getShardIterator("s", SHARD0, StartingPosition.trimHorizon());
    for (int i = 0; i < 5; i++) {
      iterator = store.getRecords(iterator, 100).nextShardIterator();
    }
    String sixth = iterator;
    assertThatThrownBy(() -> store.getRecords(sixth, 100))
        .isInstanceOf(ProvisionedThroughputExceededException.class).hasMessageContaining(SHARD0);
    // The limit is per shard: the other shard still reads.
    store.getRecords(store.getShardIterator("s", SHARD1, StartingPosition.trimHorizon()), 100);
    assertThat(store.metrics("s").shards().get(SHARD0).readProvisionedThroughputExceeded()).isEqualTo(1);
    assertThat(store.metrics("s").throttledRequests()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(1));
    // The refused iterator is still good once capacity is back.
    assertThat(store.getRecords(sixth, 100).nextShardIterator()).isNotNull();
  }

  @Test
  void readingMoreThanTwoMebibytesWaitsForTheDebtToClear() {
    open(ThrottlingMode.AWS);
    for (int second = 0; second < 3; second++) {
      assertThat(store.putRecords("s", records(LOW, 10, KIB_100)).failedRecordCount()).isZero();
      clock.advance(Duration.ofSeconds(1));
    }
    // 30 records of 100 KiB: about 3 MiB in one read puts the 2 MiB/s bucket 1 MiB in debt.
    GetRecordsResult page = store.getRecords(store.getShardIterator("s", SHARD0, StartingPosition.trimHorizon()), 100);
    assertThat(page.records()).hasSize(30);
    String next = page.nextShardIterator();
    assertThatThrownBy(() -> store.getRecords(next, 100)).isInstanceOf(ProvisionedThroughputExceededException.class);
    clock.advance(Duration.ofMillis(400));
    assertThatThrownBy(() -> store.getRecords(next, 100)).isInstanceOf(ProvisionedThroughputExceededException.class);
    clock.advance(Duration.ofMillis(600));
    assertThat(store.getRecords(next, 100).records()).isEmpty();
    assertThat(store.metrics("s").shards().get(SHARD0).readProvisionedThroughputExceeded()).isEqualTo(2);
  }

  @Test
  void withThrottlingOffNothingIsRefused() {
    open(ThrottlingMode.OFF);
    for (int i = 0; i < 6; i++) {
      assertThat(store.putRecords("s", records(LOW, 500, 1)).failedRecordCount()).isZero();
    }
    assertThat(store.putRecords("s", records(LOW, 30, KIB_100)).failedRecordCount()).isZero();
    store.putRecord("s", hashed(LOW, KIB_100), null);
    String iterator = store.getShardIterator("s", SHARD0, StartingPosition.trimHorizon());
    for (int i = 0; i < 20; i++) {
      iterator = store.getRecords(iterator, 10_000).nextShardIterator();
    }
    StreamMetrics metrics = store.metrics("s");
    assertThat(metrics.throttledRequests()).isZero();
    assertThat(metrics.shards().get(SHARD0).incomingRecords()).isEqualTo(3031);
  }

  private static List<PutRecordsEntry> records(String explicitHashKey, int count, int bytes) {
    List<PutRecordsEntry> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      records.add(hashed(explicitHashKey, bytes));
    }
    return records;
  }

  private static PutRecordsEntry hashed(String explicitHashKey, int bytes) {
    return PutRecordsEntry.of("k", explicitHashKey, new byte[bytes]);
  }
}
