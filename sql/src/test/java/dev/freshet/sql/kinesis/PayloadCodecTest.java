package dev.freshet.sql.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** Payload formats: decode, encode, round trip and the event-time shortcut. */
class PayloadCodecTest {
  private static final Schema SCHEMA = Schema.builder()
      .addNullableField("device", Schema.FieldType.STRING)
      .addNullableField("reading", Schema.FieldType.DOUBLE)
      .addNullableField("count", Schema.FieldType.INT64)
      .addNullableField("at", Schema.FieldType.DATETIME)
      .build();
  private static final Instant AT = Instant.parse("2026-01-01T10:00:00Z");
  private static final Row ROW = Row.withSchema(SCHEMA).addValues("d,1 \"x\"", 21.5, 3L, AT).build();

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void everyFormatRoundTripsARow() {
    for (PayloadFormat format : PayloadFormat.values()) {
      PayloadCodec codec = SerializableUtils.clone(PayloadCodec.of(format, SCHEMA));
      assertThat(codec.decode(codec.encode(ROW))).as(format.name()).isEqualTo(ROW);
      assertThat(codec.timestampOf(codec.encode(ROW), "at")).as(format.name()).isEqualTo(AT);
      Row nulls = Row.withSchema(SCHEMA).addValues("", null, null, null).build();
      assertThat(codec.decode(codec.encode(nulls))).as(format.name()).isEqualTo(nulls);
    }
  }

  @Test
  void jsonFindsTheTimestampWithoutTheRestOfTheRow() {
    PayloadCodec json = PayloadCodec.of(PayloadFormat.JSON, SCHEMA);
    assertThat(json.encode(ROW)).asString(StandardCharsets.UTF_8)
        .isEqualTo("{\"device\":\"d,1 \\\"x\\\"\",\"reading\":21.5,\"count\":3,\"at\":\"2026-01-01T10:00:00.000Z\"}");
    assertThat(json.timestampOf(utf8("{\"nested\":{\"at\":\"1999-01-01T00:00:00Z\"},\"at\":\"2026-01-01T11:00:00+01:00\"}"), "at"))
        .isEqualTo(AT);
    assertThat(json.timestampOf(utf8("{\"at\": null}"), "at")).isNull();
    assertThat(json.timestampOf(utf8("{\"device\": \"d\"}"), "at")).isNull();
    assertThatThrownBy(() -> json.timestampOf(utf8("{\"at\": 12}"), "at")).hasMessageContaining("ISO-8601");
    assertThatThrownBy(() -> json.timestampOf(utf8("[1]"), "at")).hasMessageContaining("not a JSON object");
  }

  @Test
  void csvQuotesAndReportsTheBadField() {
    PayloadCodec csv = PayloadCodec.of(PayloadFormat.CSV, SCHEMA);
    assertThat(csv.encode(ROW)).asString(StandardCharsets.UTF_8)
        .isEqualTo("\"d,1 \"\"x\"\"\",21.5,3,2026-01-01T10:00:00.000Z");
    assertThat(csv.decode(utf8("a,1.5,,2026-01-01T10:00:00Z\r\n")))
        .isEqualTo(Row.withSchema(SCHEMA).addValues("a", 1.5, null, AT).build());
    assertThatThrownBy(() -> csv.decode(utf8("a,warm,1,2026-01-01T10:00:00Z")))
        .hasMessageContaining("field reading").hasMessageContaining("warm");
    assertThatThrownBy(() -> csv.decode(utf8("a,1.5"))).hasMessageContaining("expected 4 fields");
    Schema nested = Schema.builder().addArrayField("tags", Schema.FieldType.STRING).build();
    assertThatThrownBy(() -> PayloadCodec.of(PayloadFormat.CSV, nested)).hasMessageContaining("tags");
  }

  @Test
  void formatNamesIgnoreCase() {
    assertThat(PayloadFormat.parse(" Avro ")).isEqualTo(PayloadFormat.AVRO);
    assertThatThrownBy(() -> PayloadFormat.parse("xml")).hasMessageContaining("xml");
  }
}
