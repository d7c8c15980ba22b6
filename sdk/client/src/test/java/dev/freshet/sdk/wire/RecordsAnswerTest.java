package dev.freshet.sdk.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.ChildShard;
import dev.freshet.sdk.stream.EncryptionType;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.Record;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The binary GetRecords answer keeps every field of every record, and refuses what is not one. */
class RecordsAnswerTest {
  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  @Test
  void recordsComeBackAsTheyWent() throws IOException {
    List<Record> records = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      byte[] data = new byte[i % 3 == 0 ? 0 : i * 7];
      Arrays.fill(data, (byte) i);
      String key = switch (i % 4) {
        case 0 -> "k" + i;
        case 1 -> "schlüssel-" + i;                // two-byte UTF-8
        case 2 -> "键-" + i + "-\uD83D\uDE00";      // three bytes and a surrogate pair
        default -> "x".repeat(256);
      };
      records.add(Record.of(String.format("49%028d", i), Instant.ofEpochMilli(1_796_000_000_000L + i), key, data,
          i % 5 == 0 ? EncryptionType.KMS : EncryptionType.NONE));
    }
    GetRecordsResult result = GetRecordsResult.of(records, "AAAA/iterator+ü", 1234, List.of());
    assertThat(RecordsAnswer.canEncode(result)).isTrue();
    GetRecordsResult decoded = RecordsAnswer.decode(bytes(RecordsAnswer.encode(result)));
    assertThat(decoded.records()).isEqualTo(records);
    assertThat(decoded.nextShardIterator()).isEqualTo("AAAA/iterator+ü");
    assertThat(decoded.millisBehindLatest()).isEqualTo(1234);
    assertThat(decoded.childShards()).isEmpty();
  }

  @Test
  void anEmptyAnswerCarriesItsIteratorAndLag() throws IOException {
    GetRecordsResult result = GetRecordsResult.of(List.of(), "next", 0, List.of());
    assertThat(RecordsAnswer.decode(bytes(RecordsAnswer.encode(result)))).isEqualTo(result);
  }

  @Test
  void anAnswerThatEndsItsShardIsLeftToTheKinesisApi() {
    ChildShard child = ChildShard.of("shardId-000000000001", List.of("shardId-000000000000"),
        HashKeyRange.of(BigInteger.ZERO, BigInteger.TEN));
    GetRecordsResult closed = GetRecordsResult.of(List.of(), null, 0, List.of(child));
    assertThat(RecordsAnswer.canEncode(closed)).isFalse();
    assertThatThrownBy(() -> RecordsAnswer.encode(closed)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ends its shard");
  }

  @Test
  void whatIsNotAnAnswerIsRefusedByName() {
    Record record = Record.of("49" + "0".repeat(28), Instant.EPOCH, "key", new byte[] {1, 2, 3}, EncryptionType.NONE);
    byte[] good = bytes(RecordsAnswer.encode(GetRecordsResult.of(List.of(record), "it", 5, List.of())));

    byte[] cbor = {(byte) 0xA0};
    assertThatThrownBy(() -> RecordsAnswer.decode(cbor)).isInstanceOf(IOException.class).hasMessageContaining("header");
    byte[] otherMagic = good.clone();
    otherMagic[0] = 'X';
    assertThatThrownBy(() -> RecordsAnswer.decode(otherMagic)).isInstanceOf(IOException.class)
        .hasMessageContaining("not a Freshet records answer");
    for (int cut = 14; cut < good.length; cut++) {
      byte[] truncated = Arrays.copyOf(good, cut);
      assertThatThrownBy(() -> RecordsAnswer.decode(truncated)).as("cut at %d", cut).isInstanceOf(IOException.class)
          .hasMessageMatching(".*(ends at byte|cannot hold).*");
    }
    byte[] trailing = Arrays.copyOf(good, good.length + 2);
    assertThatThrownBy(() -> RecordsAnswer.decode(trailing)).isInstanceOf(IOException.class)
        .hasMessageContaining("2 bytes after its 1 records");
  }
}
