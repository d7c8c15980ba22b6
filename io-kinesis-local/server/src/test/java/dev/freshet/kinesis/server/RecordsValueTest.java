package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.sdk.stream.EncryptionType;
import dev.freshet.sdk.stream.Record;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * GetRecords' {@code Records} written straight to the generator ({@link RecordsValue}) must be the
 * very bytes the tree of {@link Operations#recordNode} nodes gives, in both wire formats.
 */
class RecordsValueTest {
  private static final List<Record> RECORDS = List.of(
      Record.of("49000000000000000000000000000000", Instant.ofEpochMilli(1_733_140_000_123L), "key-1",
          "hello".getBytes(StandardCharsets.UTF_8), EncryptionType.NONE),
      Record.of("49000000000000000000000000000001", Instant.ofEpochMilli(1_000L), "ключ",
          new byte[] {0, (byte) 0xff, 0x10, 0x7f}, EncryptionType.KMS),
      Record.of("49000000000000000000000000000002", Instant.ofEpochMilli(1_733_140_000_100L), "k",
          new byte[0], EncryptionType.NONE));

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void writesTheSameBytesAsTheTreeOfNodes(WireFormat format) throws Exception {
    ObjectNode tree = format.newObject();
    ArrayNode list = tree.putArray("Records");
    RECORDS.forEach(record -> list.add(Operations.recordNode(format, record)));
    tree.put("MillisBehindLatest", 0);

    ObjectNode streamed = format.newObject();
    streamed.putPOJO("Records", new RecordsValue(format, RECORDS));
    streamed.put("MillisBehindLatest", 0);

    assertThat(encode(format, streamed)).isEqualTo(encode(format, tree));
    assertThat(format.parse(encode(format, streamed))).isEqualTo(format.parse(encode(format, tree)));
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void writesAnEmptyList(WireFormat format) throws Exception {
    ObjectNode streamed = format.newObject();
    streamed.putPOJO("Records", new RecordsValue(format, List.of()));
    assertThat(format.parse(encode(format, streamed)).get("Records").isArray()).isTrue();
    assertThat(format.parse(encode(format, streamed)).get("Records")).isEmpty();
  }

  private static byte[] encode(WireFormat format, ObjectNode node) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    format.write(node, out);
    return out.toByteArray();
  }
}
