package dev.freshet.sdk.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.EncryptionType;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The binary GetRecords answer keeps every field of every record, and refuses what is not one. */
class RecordsAnswerTest {
  private static final String PREFIX = "4900000007";

  private static byte[] bytes(ByteBuffer[] buffers) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (ByteBuffer buffer : buffers) {
      byte[] chunk = new byte[buffer.remaining()];
      buffer.get(chunk);
      out.writeBytes(chunk);
    }
    return out.toByteArray();
  }

  /** Adds a record the way a store does: key and data lying somewhere in a (direct) read buffer. */
  private static void add(RecordsAnswer.Writer writer, long value, long arrival, String key, byte[] data) {
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    ByteBuffer source = ByteBuffer.allocateDirect(7 + keyBytes.length + 3 + data.length);
    source.position(7);
    source.put(keyBytes).position(7 + keyBytes.length + 3);
    source.put(data);
    source.position(1); // the writer reads at absolute positions, not from here
    writer.record(value, arrival, source, 7, keyBytes.length, 7 + keyBytes.length + 3, data.length);
  }

  @Test
  void recordsComeBackAsTheyWent() throws IOException {
    RecordsAnswer.Writer writer = new RecordsAnswer.Writer(PREFIX, 20);
    List<Record> expected = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      // Up to 200 KiB: records span many 64 KiB chunks, and some need a chunk of their own.
      byte[] data = new byte[i % 3 == 0 ? 0 : i % 50 == 1 ? 200_000 + i : i * 7];
      Arrays.fill(data, (byte) i);
      String key = switch (i % 4) {
        case 0 -> "k" + i;
        case 1 -> "schlüssel-" + i;
        case 2 -> "键-" + i + "-\uD83D\uDE00";
        default -> "x".repeat(256);
      };
      long value = i == 499 ? 99_999_999_999_999_999L : i + 1L;
      add(writer, value, 1_796_000_000_000L + i, key, data);
      expected.add(Record.of(PREFIX + String.format("%020d", value), Instant.ofEpochMilli(1_796_000_000_000L + i),
          key, data, EncryptionType.NONE));
    }
    assertThat(writer.records()).isEqualTo(500);
    GetRecordsResult decoded = RecordsAnswer.decode(bytes(writer.finish("AAAA/iterator+ü", 1234)));
    assertThat(decoded.records()).isEqualTo(expected);
    assertThat(decoded.nextShardIterator()).isEqualTo("AAAA/iterator+ü");
    assertThat(decoded.millisBehindLatest()).isEqualTo(1234);
    assertThat(decoded.childShards()).isEmpty();
  }

  /**
   * Consecutive values are counted up from the last number's digits: carries over nines, a gap,
   * a value below the last and the largest value the digits hold all come back as written.
   */
  @Test
  void sequenceNumbersSurviveCarriesGapsAndTheLastDigit() throws IOException {
    long[] values = {0, 1, 8, 9, 10, 11, 99, 100, 101, 1_999, 2_000, 7, 8, 50_000, 998, 999};
    RecordsAnswer.Writer writer = new RecordsAnswer.Writer(PREFIX, 3 + 2); // 5 digits: 99,999 at most
    List<String> expected = new ArrayList<>();
    for (long value : values) {
      add(writer, value, 1L, "k", new byte[0]);
      expected.add(PREFIX + String.format("%05d", value));
    }
    add(writer, 99_999, 1L, "k", new byte[0]);
    expected.add(PREFIX + "99999");
    List<String> decoded = RecordsAnswer.decode(bytes(writer.finish("next", 0))).records().stream()
        .map(Record::sequenceNumber).toList();
    assertThat(decoded).isEqualTo(expected);
  }

  @Test
  void anEmptyAnswerCarriesItsIteratorAndLag() throws IOException {
    GetRecordsResult decoded = RecordsAnswer.decode(bytes(new RecordsAnswer.Writer(PREFIX, 20).finish("next", 0)));
    assertThat(decoded).isEqualTo(GetRecordsResult.of(List.of(), "next", 0, List.of()));
  }

  @Test
  void theWriterRefusesWhatTheLayoutCannotCarry() {
    assertThatThrownBy(() -> new RecordsAnswer.Writer("49x", 20)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("49x");
    RecordsAnswer.Writer writer = new RecordsAnswer.Writer(PREFIX, 3);
    assertThatThrownBy(() -> add(writer, 1000, 0, "k", new byte[0])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not fit 3 digits");
    writer.finish("it", 0);
    assertThatThrownBy(() -> add(writer, 1, 0, "k", new byte[0])).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("finished");
  }

  @Test
  void whatIsNotAnAnswerIsRefusedByName() {
    RecordsAnswer.Writer writer = new RecordsAnswer.Writer(PREFIX, 20);
    add(writer, 5, 0, "key", new byte[] {1, 2, 3});
    byte[] good = bytes(writer.finish("it", 5));

    byte[] cbor = {(byte) 0xA0};
    assertThatThrownBy(() -> RecordsAnswer.decode(cbor)).isInstanceOf(IOException.class).hasMessageContaining("header");
    byte[] otherMagic = good.clone();
    otherMagic[3] = '1';
    assertThatThrownBy(() -> RecordsAnswer.decode(otherMagic)).isInstanceOf(IOException.class)
        .hasMessageContaining("not a Freshet records answer (version 2)");
    for (int cut = 0; cut < good.length; cut++) {
      byte[] truncated = Arrays.copyOf(good, cut);
      assertThatThrownBy(() -> RecordsAnswer.decode(truncated)).as("cut at %d", cut).isInstanceOf(IOException.class)
          .hasMessageMatching(".*(ends at byte|cannot hold).*");
    }
    byte[] trailing = Arrays.copyOf(good, good.length + 2);
    assertThatThrownBy(() -> RecordsAnswer.decode(trailing)).isInstanceOf(IOException.class)
        .hasMessageContaining("2 bytes after its next shard iterator");
  }
}
