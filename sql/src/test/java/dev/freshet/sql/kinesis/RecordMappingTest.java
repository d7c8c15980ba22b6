package dev.freshet.sql.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.io.StreamRecord;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.extensions.sql.TableUtils;
import org.apache.beam.sdk.extensions.sql.meta.Table;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** Records to event times, and rows to records: the functions a table hands StreamIO. */
class RecordMappingTest {
  private static final Instant ARRIVAL = Instant.parse("2026-01-01T12:00:00Z");

  private static final Schema SCHEMA = Schema.builder()
      .addNullableField("card", Schema.FieldType.STRING)
      .addNullableField("partition_key", Schema.FieldType.STRING)
      .addNullableField("amount", Schema.FieldType.DOUBLE)
      .addNullableField("at", Schema.FieldType.DATETIME)
      .addNullableField("ROWTIME", Schema.FieldType.DATETIME)
      .build();

  private static KinesisTableConfig config(String properties) {
    return KinesisTableConfig.parse(Table.builder().type("kinesis").name("payments").location("payments")
        .schema(SCHEMA).properties(TableUtils.parseProperties(properties)).build(), URI.create("file:///tmp/x/"));
  }

  private static StreamRecord record(String json) {
    return StreamRecord.of("payments", "shardId-000000000003", "4900000000300000000000000000042", 0, "k", ARRIVAL,
        json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void eventTimeIsTheTimestampFieldOrTheArrivalTimeWhenItIsNull() {
    EventTimeFn fn = SerializableUtils.clone(new EventTimeFn(config("{\"timestampField\": \"at\"}")));
    assertThat(fn.apply(record("{\"card\": \"c\", \"at\": \"2026-01-01T10:00:00Z\"}")))
        .isEqualTo(Instant.parse("2026-01-01T10:00:00Z"));
    assertThat(fn.apply(record("{\"card\": \"c\", \"at\": null}"))).isEqualTo(ARRIVAL);
    assertThat(fn.apply(record("{\"card\": \"c\"}"))).isEqualTo(ARRIVAL);
    assertThatThrownBy(() -> fn.apply(record("{\"at\": \"noon\"")))
        .hasMessageContaining("timestampField at")
        .hasMessageContaining("4900000000300000000000000000042")
        .hasMessageContaining("shardId-000000000003")
        .hasMessageContaining("payments");
  }

  @Test
  void writtenDataHoldsTheDataColumnsByPositionWithoutMetadata() {
    KinesisTableConfig config = config("{}");
    RowWriting.Serializer serializer = new RowWriting.Serializer(config);
    // an INSERT's rows carry the query's field names; only positions count
    Schema queryNames = Schema.builder()
        .addNullableField("EXPR$0", Schema.FieldType.STRING)
        .addNullableField("key", Schema.FieldType.STRING)
        .addNullableField("EXPR$2", Schema.FieldType.DOUBLE)
        .addNullableField("EXPR$3", Schema.FieldType.DATETIME)
        .addNullableField("EXPR$4", Schema.FieldType.DATETIME)
        .build();
    Row row = Row.withSchema(queryNames)
        .addValues("c-1", "shard-me", 12.5, Instant.parse("2026-01-01T10:00:00Z"), ARRIVAL).build();
    assertThat(new String(serializer.apply(row), StandardCharsets.UTF_8))
        .isEqualTo("{\"card\":\"c-1\",\"amount\":12.5,\"at\":\"2026-01-01T10:00:00.000Z\"}");
    assertThat(new RowWriting.ColumnKey(config).apply(row)).isEqualTo("shard-me");
    String hashed = new RowWriting.DataKey(serializer).apply(row);
    assertThat(hashed).matches("[0-9a-f]{32}").isEqualTo(new RowWriting.DataKey(serializer).apply(row));
  }

  @Test
  void aNullPartitionKeyFailsNamingTheColumn() {
    KinesisTableConfig config = config("{\"partitionKey\": \"card\"}");
    Row row = Row.withSchema(SCHEMA).addValues(null, "p", 1.0, null, null).build();
    assertThatThrownBy(() -> new RowWriting.ColumnKey(config).apply(row))
        .hasMessageContaining("column card").hasMessageContaining("payments").hasMessageContaining("NULL");
  }
}
