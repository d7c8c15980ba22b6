package dev.freshet.kinesis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.StartingPosition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AT_TIMESTAMP iterators over many small records per index interval: the first record at or after the time. */
class AtTimestampTest {
  @TempDir Path dir;

  @Test
  void startsAtTheFirstRecordAtOrAfterTheTimestamp() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(dir).setClock(clock).build())) {
      store.createStream(CreateStreamRequest.provisioned("t", 1));
      List<Instant> times = new ArrayList<>();
      for (int i = 0; i < 5000; i++) {
        List<PutRecordsEntry> batch = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
          batch.add(PutRecordsEntry.of("k", ("r" + i + "-" + j).getBytes(StandardCharsets.UTF_8)));
        }
        store.putRecords("t", batch);
        times.add(clock.instant());
        clock.advance(Duration.ofMillis(1));
      }
      for (int probe : new int[] {0, 1, 7, 100, 999, 2500, 4321, 4999}) {
        Instant at = times.get(probe);
        List<Record> records = StoreTesting.readAll(store, "t", "shardId-000000000000", StartingPosition.atTimestamp(at));
        assertThat(records).as("at %s", at).hasSize((5000 - probe) * 3);
        assertThat(StoreTesting.text(records.get(0))).isEqualTo("r" + probe + "-0");
      }
    }
  }
}
