package dev.freshet.sdk.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

class WriteIdTest {
  private static StreamRecord record(String shard, String sequence, long sub) {
    return StreamRecord.of("orders", shard, sequence, sub, "k", Instant.EPOCH, "x".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void idsFromTheSourceIncreaseInReadOrderAndNameTheSourceShard() {
    WriteId first = WriteId.fromSource(record("shardId-000000000001", "490000000100000000000000000041", 0));
    WriteId firstSecondOutput = WriteId.fromSource(record("shardId-000000000001", "490000000100000000000000000041", 0), 1);
    WriteId aggregated = WriteId.fromSource(record("shardId-000000000001", "490000000100000000000000000041", 7));
    WriteId next = WriteId.fromSource(record("shardId-000000000001", "490000000100000000000000000042", 0));

    assertThat(first.producerId()).isEqualTo("orders/shardId-000000000001");
    assertThat(first.sequence()).isLessThan(firstSecondOutput.sequence());
    assertThat(firstSecondOutput.sequence()).isLessThan(aggregated.sequence());
    assertThat(aggregated.sequence()).isLessThan(next.sequence());
    // The same position gives the same id in every run.
    assertThat(WriteId.fromSource(record("shardId-000000000001", "490000000100000000000000000041", 0))).isEqualTo(first);
    // The service's 56-digit sequence numbers fit as well.
    String service = "49590338271490256608559692538361571095921575989136588898";
    assertThat(WriteId.fromSource(record("shardId-000000000000", service, 0)).sequence())
        .isEqualTo(new BigInteger(service).shiftLeft(48));
  }

  @Test
  void checksItsValues() {
    assertThatThrownBy(() -> WriteId.of("", BigInteger.ONE)).hasMessageContaining("producerId must have 1 to 256");
    assertThatThrownBy(() -> WriteId.of("p", BigInteger.valueOf(-1))).hasMessageContaining("sequence must be");
    assertThatThrownBy(() -> WriteId.fromSource(record("s", "1", 0), 1 << 16))
        .hasMessage("index must be between 0 and 65535, but was: 65536");
    assertThat(WriteId.of("p", BigInteger.ONE).withProducerPrefix("job-a/").producerId()).isEqualTo("job-a/p");
  }
}
