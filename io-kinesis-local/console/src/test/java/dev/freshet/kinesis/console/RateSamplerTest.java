package dev.freshet.kinesis.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rates are differences of the store's counters over the time between two samples. */
class RateSamplerTest {
  @TempDir Path dir;

  @Test
  void ratesAreRecordsBetweenSamplesPerSecondAndDeletedStreamsAreForgotten() {
    try (LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(dir).setStatusDelay(Duration.ZERO).build());
        RateSampler sampler = new RateSampler(store)) {
      store.createStream(CreateStreamRequest.provisioned("s", 1));
      sampler.sample(1_000);
      assertThat(sampler.points("s")).isEmpty();
      assertThat(sampler.latest("s")).isNull();
      for (int i = 0; i < 10; i++) {
        store.putRecord("s", PutRecordsEntry.of("k", ("r" + i).getBytes(StandardCharsets.UTF_8)), null);
      }
      store.getRecords(store.getShardIterator("s", "shardId-000000000000",
          dev.freshet.sdk.stream.StartingPosition.trimHorizon()), 4);
      sampler.sample(3_000);
      sampler.sample(4_000);
      assertThat(sampler.points("s")).containsExactly(new RateSampler.Point(3_000, 5.0, 2.0),
          new RateSampler.Point(4_000, 0.0, 0.0));
      assertThat(sampler.latest("s")).isEqualTo(new RateSampler.Point(4_000, 0.0, 0.0));

      for (int i = 0; i < RateSampler.POINTS + 5; i++) {
        sampler.sample(5_000 + i * 1_000L);
      }
      assertThat(sampler.points("s")).hasSize(RateSampler.POINTS);

      store.deleteStream("s", true);
      sampler.sample(1_000_000);
      assertThat(sampler.points("s")).isEqualTo(List.of());
    }
  }
}
