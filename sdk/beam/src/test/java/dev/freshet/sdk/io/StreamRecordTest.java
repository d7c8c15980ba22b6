package dev.freshet.sdk.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.util.CoderUtils;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A record whose sequence number is kept as prefix and number is the same value as one given the
 * number written out: same sequence number, equal, same hash, same encoding.
 */
class StreamRecordTest {
  private static final Instant ARRIVAL = new Instant(1_796_000_000_000L);
  private static final byte[] DATA = "payload".getBytes(StandardCharsets.UTF_8);

  private static StreamRecord parts(long value) {
    return StreamRecord.withSequenceParts("s", "shardId-000000000001", "4900000001", value, 20, 0, "k", ARRIVAL, DATA);
  }

  private static StreamRecord written(String sequenceNumber) {
    return StreamRecord.of("s", "shardId-000000000001", sequenceNumber, 0, "k", ARRIVAL, DATA);
  }

  @Test
  void partsWriteOutTheSameSequenceNumber() {
    for (long value : new long[] {0, 1, 9, 10, 99, 100, 12_345, 1_000_000_007L, 99_999_999_999_999_999L}) {
      String expected = "4900000001" + String.format("%020d", value);
      assertThat(parts(value).sequenceNumber()).isEqualTo(expected);
      assertThat(parts(value)).isEqualTo(written(expected)).hasSameHashCodeAs(written(expected));
      assertThat(written(expected)).isEqualTo(parts(value));
      assertThat(parts(value).toString()).isEqualTo(written(expected).toString());
    }
    assertThat(parts(7)).isNotEqualTo(parts(8));
  }

  @Test
  void partsEncodeAsTheWrittenNumber() throws Exception {
    StreamRecord record = parts(42);
    byte[] encoded = CoderUtils.encodeToByteArray(StreamRecordCoder.of(), record);
    assertThat(encoded).isEqualTo(CoderUtils.encodeToByteArray(StreamRecordCoder.of(),
        written("4900000001" + String.format("%020d", 42))));
    assertThat(CoderUtils.decodeFromByteArray(StreamRecordCoder.of(), encoded)).isEqualTo(record);
  }

  @Test
  void aValueTooLongForItsDigitsIsRefusedWhenWrittenOut() {
    StreamRecord record = StreamRecord.withSequenceParts("s", "shard", "49", 1_000, 3, 0, "k", ARRIVAL, DATA);
    assertThatThrownBy(record::sequenceNumber).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1000").hasMessageContaining("3 digits");
  }
}
