package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.store.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerWarmUpTest {
  @TempDir Path tmp;

  /**
   * The warm-up drives a real server with PutRecord, GetRecords, PutRecords and GetShardIterator in
   * JSON and CBOR (any call answered other than 200 throws), at least {@link
   * ServerWarmUp#MIN_ITERATIONS} tailing reads unless the time runs out, and leaves no folder behind.
   */
  @Test
  void drivesTheRequestPathAndLeavesNothingBehind() throws Exception {
    Path parent = Files.createDirectory(tmp.resolve("parent"));
    Path realData = tmp.resolve("real");
    StoreConfig real = StoreConfig.builder(realData).setDurability(Durability.OS).build();

    ServerWarmUp.Result result = ServerWarmUp.run(real, Duration.ofSeconds(15), parent);

    assertThat(result.requests()).isGreaterThanOrEqualTo(2L * result.iterations());
    if (result.quiet()) {
      assertThat(result.iterations()).isGreaterThanOrEqualTo(ServerWarmUp.MIN_ITERATIONS);
    }
    try (Stream<Path> left = Files.list(parent)) {
      assertThat(left).isEmpty();
    }
    assertThat(realData).doesNotExist();
  }

  @Test
  void refusesANonPositiveTime() {
    StoreConfig config = StoreConfig.builder(tmp).build();
    assertThatThrownBy(() -> ServerWarmUp.run(config, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxTime must be positive");
  }

  /** Request ids keep the service's form: a version 4, IETF-variant UUID, new for each response. */
  @Test
  void requestIdsAreVersion4Uuids() {
    UUID first = UUID.fromString(Responses.requestId());
    UUID second = UUID.fromString(Responses.requestId());
    assertThat(first.version()).isEqualTo(4);
    assertThat(first.variant()).isEqualTo(2);
    assertThat(first).isNotEqualTo(second);
  }
}
