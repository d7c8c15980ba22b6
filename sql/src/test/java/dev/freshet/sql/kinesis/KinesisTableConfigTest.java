package dev.freshet.sql.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.StartingPosition;
import java.net.URI;
import org.apache.beam.sdk.extensions.sql.TableUtils;
import org.apache.beam.sdk.extensions.sql.meta.Table;
import org.apache.beam.sdk.schemas.Schema;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

/** TBLPROPERTIES and columns of a {@code kinesis} table: parsed once, errors that name what is wrong. */
class KinesisTableConfigTest {
  private static final URI DEFAULT = URI.create("file:///tmp/freshet-data/");

  private static final Schema CLICKS = Schema.builder()
      .addNullableField("user_id", Schema.FieldType.STRING)
      .addNullableField("page", Schema.FieldType.STRING)
      .addNullableField("event_time", Schema.FieldType.DATETIME)
      .build();

  private static Table table(Schema schema, String properties) {
    return Table.builder().type("kinesis").name("clicks").location("clickstream").schema(schema)
        .properties(TableUtils.parseProperties(properties)).build();
  }

  private static KinesisTableConfig parse(String properties) {
    return KinesisTableConfig.parse(table(CLICKS, properties), DEFAULT);
  }

  @Test
  void defaultsFollowTheStreamInJsonWithArrivalTime() {
    KinesisTableConfig config = parse("{}");
    assertThat(config.streamName()).isEqualTo("clickstream");
    assertThat(config.endpoint()).isEqualTo(DEFAULT);
    assertThat(config.format()).isEqualTo(PayloadFormat.JSON);
    assertThat(config.readMode()).isEqualTo(ReadMode.FOLLOW);
    assertThat(config.startingPosition()).isEqualTo(StartingPosition.latest());
    assertThat(config.timestampField()).isNull();
    assertThat(config.watermarkDelay()).isEqualTo(Duration.ZERO);
    assertThat(config.partitionKeyColumn()).isNull();
    assertThat(config.payloadSchema()).isEqualTo(CLICKS);
  }

  @Test
  void everyPropertyIsParsedIntoItsType() {
    KinesisTableConfig config = parse("{\"format\": \"CSV\", \"endpoint\": \"http://localhost:4567\", "
        + "\"timestampField\": \"event_time\", \"watermarkDelay\": \"5s\", \"idleTimeout\": \"PT0.5S\", "
        + "\"read\": \"follow\", \"startingPosition\": \"2026-01-01T00:00:00Z\", \"partitionKey\": \"user_id\", "
        + "\"consumer\": \"sql-app\"}");
    assertThat(config.format()).isEqualTo(PayloadFormat.CSV);
    assertThat(config.endpoint()).isEqualTo(URI.create("http://localhost:4567"));
    assertThat(config.timestampField()).isEqualTo("event_time");
    assertThat(config.watermarkDelay()).isEqualTo(Duration.standardSeconds(5));
    assertThat(config.idleTimeout()).isEqualTo(Duration.millis(500));
    assertThat(config.startingPosition())
        .isEqualTo(StartingPosition.atTimestamp(java.time.Instant.parse("2026-01-01T00:00:00Z")));
    assertThat(config.partitionKeyColumn()).isEqualTo("user_id");
    assertThat(config.partitionKeyIndex()).isEqualTo(0);
    assertThat(config.consumerName()).isEqualTo("sql-app");
  }

  @Test
  void durationsTakeUnitsOrIso8601() {
    assertThat(DurationProperty.parse("d", "250ms")).isEqualTo(Duration.millis(250));
    assertThat(DurationProperty.parse("d", "2m")).isEqualTo(Duration.standardMinutes(2));
    assertThat(DurationProperty.parse("d", "1h")).isEqualTo(Duration.standardHours(1));
    assertThat(DurationProperty.parse("d", "0")).isEqualTo(Duration.ZERO);
    assertThat(DurationProperty.parse("d", "PT1M30S")).isEqualTo(Duration.standardSeconds(90));
    assertThatThrownBy(() -> DurationProperty.parse("watermarkDelay", "5")).hasMessageContaining("needs a unit");
    assertThatThrownBy(() -> DurationProperty.parse("watermarkDelay", "-5s")).hasMessageContaining("-5s");
    assertThatThrownBy(() -> DurationProperty.parse("watermarkDelay", "PT-5S")).hasMessageContaining("at least 0");
  }

  @Test
  void snapshotReadsFromTheTrimHorizon() {
    KinesisTableConfig config = parse("{\"read\": \"snapshot\"}");
    assertThat(config.readMode()).isEqualTo(ReadMode.SNAPSHOT);
    assertThat(config.startingPosition()).isEqualTo(StartingPosition.trimHorizon());
    assertThatThrownBy(() -> parse("{\"read\": \"snapshot\", \"startingPosition\": \"latest\"}"))
        .hasMessageContaining("startingPosition");
  }

  @Test
  void metadataColumnsAreFoundByNameAndLeftOutOfThePayload() {
    Schema schema = Schema.builder()
        .addNullableField("page", Schema.FieldType.STRING)
        .addNullableField("partition_key", Schema.FieldType.STRING)
        .addNullableField("SHARD_ID", Schema.FieldType.STRING)
        .addNullableField("sequence_number", Schema.FieldType.STRING)
        .addNullableField("arrival_time", Schema.FieldType.DATETIME)
        .addNullableField("ROWTIME", Schema.FieldType.DATETIME)
        .build();
    KinesisTableConfig config = KinesisTableConfig.parse(table(schema, "{}"), DEFAULT);
    assertThat(config.payloadSchema().getFieldNames()).containsExactly("page");
    assertThat(config.metadataColumns()).containsEntry(1, MetadataColumn.PARTITION_KEY)
        .containsEntry(2, MetadataColumn.SHARD_ID).containsEntry(5, MetadataColumn.ROWTIME).hasSize(5);
    assertThat(config.payloadIndexes()).containsExactly(org.assertj.core.api.Assertions.entry(0, 0));
    // a declared partition_key column is the partition key on INSERT
    assertThat(config.partitionKeyColumn()).isEqualTo("partition_key");
  }

  @Test
  void processingTimeIsATimestampFieldOfItsOwnWithoutADelay() {
    Schema schema = Schema.builder()
        .addNullableField("page", Schema.FieldType.STRING)
        .addNullableField("processing_time", Schema.FieldType.DATETIME)
        .addNullableField("arrival_time", Schema.FieldType.DATETIME)
        .build();
    KinesisTableConfig config = KinesisTableConfig.parse(table(schema, "{\"timestampField\": \"processing_time\"}"),
        DEFAULT);
    assertThat(config.processingTime()).isTrue();
    assertThat(config.metadataColumns()).containsEntry(1, MetadataColumn.PROCESSING_TIME);
    assertThat(parse("{\"timestampField\": \"event_time\"}").processingTime()).isFalse();
    assertThatThrownBy(() -> KinesisTableConfig.parse(table(schema,
        "{\"timestampField\": \"processing_time\", \"watermarkDelay\": \"5s\"}"), DEFAULT))
        .hasMessageContaining("'watermarkDelay'").hasMessageContaining("processing_time");
    assertThatThrownBy(() -> KinesisTableConfig.parse(table(schema, "{\"timestampField\": \"arrival_time\"}"),
        DEFAULT)).hasMessageContaining("'timestampField'").hasMessageContaining("arrival_time");
  }

  @Test
  void errorsNameThePropertyAndTheBadValue() {
    assertThatThrownBy(() -> parse("{\"fromat\": \"json\"}"))
        .hasMessageContaining("unknown table property 'fromat'").hasMessageContaining("format");
    assertThatThrownBy(() -> parse("{\"TimestampField\": \"event_time\"}"))
        .hasMessageContaining("did you mean 'timestampField'");
    assertThatThrownBy(() -> parse("{\"format\": \"parquet\"}"))
        .hasMessageContaining("'format'").hasMessageContaining("json, csv, avro").hasMessageContaining("parquet");
    assertThatThrownBy(() -> parse("{\"timestampField\": \"event_time\", \"watermarkDelay\": \"soon\"}"))
        .hasMessageContaining("'watermarkDelay'").hasMessageContaining("soon");
    assertThatThrownBy(() -> parse("{\"timestampField\": \"ts\"}"))
        .hasMessageContaining("'timestampField'").hasMessageContaining("ts").hasMessageContaining("event_time");
    assertThatThrownBy(() -> parse("{\"timestampField\": \"page\"}"))
        .hasMessageContaining("TIMESTAMP column").hasMessageContaining("page");
    assertThatThrownBy(() -> parse("{\"watermarkDelay\": \"5s\"}")).hasMessageContaining("needs 'timestampField'");
    assertThatThrownBy(() -> parse("{\"read\": \"tail\"}")).hasMessageContaining("'read'").hasMessageContaining("tail");
    assertThatThrownBy(() -> parse("{\"endpoint\": \"ftp://host\"}")).hasMessageContaining("'endpoint'");
    assertThatThrownBy(() -> parse("{\"partitionKey\": \"user\"}"))
        .hasMessageContaining("'partitionKey'").hasMessageContaining("user");
    assertThatThrownBy(() -> parse("{\"startingPosition\": \"yesterday\"}"))
        .hasMessageContaining("'startingPosition'").hasMessageContaining("yesterday");
    assertThatThrownBy(() -> parse("{\"format\": {\"name\": \"json\"}}")).hasMessageContaining("must be a string");
  }

  @Test
  void locationEndpointAndMetadataTypesAreChecked() {
    Table noLocation = Table.builder().type("kinesis").name("t").schema(CLICKS).build();
    assertThatThrownBy(() -> KinesisTableConfig.parse(noLocation, DEFAULT)).hasMessageContaining("LOCATION");
    Table badLocation = Table.builder().type("kinesis").name("t").location("no/slashes").schema(CLICKS).build();
    assertThatThrownBy(() -> KinesisTableConfig.parse(badLocation, DEFAULT)).hasMessageContaining("no/slashes");
    assertThatThrownBy(() -> KinesisTableConfig.parse(table(CLICKS, "{}"), null))
        .hasMessageContaining("needs table property 'endpoint'");
    Schema wrongType = Schema.builder().addNullableField("arrival_time", Schema.FieldType.STRING).build();
    assertThatThrownBy(() -> KinesisTableConfig.parse(table(wrongType, "{}"), DEFAULT))
        .hasMessageContaining("arrival_time").hasMessageContaining("TIMESTAMP");
  }
}
