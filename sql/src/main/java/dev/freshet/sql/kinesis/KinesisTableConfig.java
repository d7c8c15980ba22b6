package dev.freshet.sql.kinesis;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sql.TableProperties;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.extensions.sql.meta.Table;
import org.apache.beam.sdk.schemas.Schema;
import org.jspecify.annotations.Nullable;
import org.joda.time.Duration;

/**
 * The typed form of a {@code kinesis} table's definition: LOCATION and TBLPROPERTIES are parsed once
 * here, when the table is created or loaded, and every error names the property (or column) and the
 * bad value.
 */
@AutoValue
abstract class KinesisTableConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  static final String FORMAT = "format";
  static final String ENDPOINT = "endpoint";
  static final String TIMESTAMP_FIELD = "timestampField";
  static final String WATERMARK_DELAY = "watermarkDelay";
  static final String IDLE_TIMEOUT = "idleTimeout";
  static final String READ = "read";
  static final String STARTING_POSITION = "startingPosition";
  static final String PARTITION_KEY = "partitionKey";
  static final String CONSUMER = "consumer";

  static final ImmutableSet<String> PROPERTIES = ImmutableSet.of(FORMAT, ENDPOINT, TIMESTAMP_FIELD,
      WATERMARK_DELAY, IDLE_TIMEOUT, READ, STARTING_POSITION, PARTITION_KEY, CONSUMER);

  private static final String NAME_PATTERN = "[a-zA-Z0-9_.-]{1,128}";

  /** The table's name in SQL. */
  abstract String tableName();

  /** The stream, from LOCATION. */
  abstract String streamName();

  abstract URI endpoint();

  abstract PayloadFormat format();

  /** Every declared column, in order. */
  abstract Schema schema();

  /** The columns that live in the record's data, in declared order. */
  abstract Schema payloadSchema();

  /** Per declared column, its metadata column, or absent for a payload column. */
  abstract ImmutableMap<Integer, MetadataColumn> metadataColumns();

  /** Per declared column, its index in the payload schema (payload columns only). */
  abstract ImmutableMap<Integer, Integer> payloadIndexes();

  abstract @Nullable String timestampField();

  /** Whether rows are timed by when they are read ({@code "timestampField": "processing_time"}). */
  boolean processingTime() {
    String field = timestampField();
    return field != null && MetadataColumn.of(field) == MetadataColumn.PROCESSING_TIME;
  }

  abstract Duration watermarkDelay();

  abstract @Nullable Duration idleTimeout();

  abstract ReadMode readMode();

  abstract StartingPosition startingPosition();

  /** The column whose value is the partition key on INSERT; null for a key hashed from the data. */
  abstract @Nullable String partitionKeyColumn();

  abstract @Nullable String consumerName();

  /** The index of the partition key column in the declared columns, or -1. */
  int partitionKeyIndex() {
    return partitionKeyColumn() == null ? -1 : schema().indexOf(partitionKeyColumn());
  }

  /**
   * Parses a table definition.
   *
   * @param defaultEndpoint the endpoint of a table without an {@code endpoint} property, or null if
   *     such a table is an error
   * @throws IllegalArgumentException naming the property, column or LOCATION that is wrong
   */
  static KinesisTableConfig parse(Table table, @Nullable URI defaultEndpoint) {
    String name = table.getName();
    String location = table.getLocation();
    checkArgument(location != null && !location.isBlank(),
        "kinesis table %s needs LOCATION 'stream-name'", name);
    String stream = location.trim();
    checkArgument(stream.matches(NAME_PATTERN),
        "LOCATION of kinesis table %s must be a stream name of 1 to 128 characters of a-zA-Z0-9_.-, but was: %s",
        name, location);

    Map<String, String> properties =
        TableProperties.read("kinesis", name, table.getProperties(), PROPERTIES, "a string");
    Schema schema = table.getSchema();
    checkArgument(schema.getFieldCount() > 0, "kinesis table %s needs at least one column", name);

    ImmutableMap.Builder<Integer, MetadataColumn> metadata = ImmutableMap.builder();
    ImmutableMap.Builder<Integer, Integer> payloadIndexes = ImmutableMap.builder();
    List<Schema.Field> payloadFields = new ArrayList<>();
    for (int i = 0; i < schema.getFieldCount(); i++) {
      Schema.Field field = schema.getField(i);
      MetadataColumn column = MetadataColumn.of(field.getName());
      if (column != null) {
        checkArgument(field.getType().getTypeName() == column.type(),
            "column %s of kinesis table %s is the record's %s and must be %s, but was declared %s",
            field.getName(), name, column.columnName(),
            column.type() == Schema.TypeName.STRING ? "VARCHAR" : "TIMESTAMP", field.getType());
        metadata.put(i, column);
      } else {
        payloadIndexes.put(i, payloadFields.size());
        payloadFields.add(field);
      }
    }
    Schema payloadSchema = Schema.builder().addFields(payloadFields).build();
    PayloadFormat format = properties.containsKey(FORMAT) ? PayloadFormat.parse(properties.get(FORMAT)) : PayloadFormat.JSON;
    checkArgument(!payloadFields.isEmpty() || format == PayloadFormat.JSON,
        "kinesis table %s declares only metadata columns; format %s needs at least one data column", name, format);

    URI endpoint = properties.containsKey(ENDPOINT) ? endpoint(properties.get(ENDPOINT)) : defaultEndpoint;
    checkArgument(endpoint != null,
        "kinesis table %s needs table property 'endpoint', such as file:///path/to/data or http://localhost:4567", name);

    String timestampField = properties.get(TIMESTAMP_FIELD);
    if (timestampField != null) {
      checkArgument(schema.hasField(timestampField),
          "table property 'timestampField' names column %s, which kinesis table %s does not have; columns: %s",
          timestampField, name, schema.getFieldNames());
      int index = schema.indexOf(timestampField);
      Schema.Field field = schema.getField(index);
      MetadataColumn metadataTime = MetadataColumn.of(timestampField);
      checkArgument(metadataTime == null || metadataTime == MetadataColumn.PROCESSING_TIME,
          "table property 'timestampField' must name a data column or processing_time, but %s is the record's "
              + "arrival metadata; leave timestampField out to use arrival time", timestampField);
      checkArgument(field.getType().getTypeName() == Schema.TypeName.DATETIME,
          "table property 'timestampField' must name a TIMESTAMP column, but %s is %s", timestampField, field.getType());
    }

    Duration delay = properties.containsKey(WATERMARK_DELAY)
        ? DurationProperty.parse(WATERMARK_DELAY, properties.get(WATERMARK_DELAY)) : Duration.ZERO;
    checkArgument(delay.isEqual(Duration.ZERO) || timestampField != null,
        "table property 'watermarkDelay' needs 'timestampField': arrival times are in order within a shard");
    checkArgument(delay.isEqual(Duration.ZERO) || MetadataColumn.of(timestampField) != MetadataColumn.PROCESSING_TIME,
        "table property 'watermarkDelay' does not apply to 'timestampField' processing_time: the clock is in order");
    Duration idle = properties.containsKey(IDLE_TIMEOUT)
        ? DurationProperty.parse(IDLE_TIMEOUT, properties.get(IDLE_TIMEOUT)) : null;

    ReadMode mode = properties.containsKey(READ) ? ReadMode.parse(properties.get(READ)) : ReadMode.FOLLOW;
    StartingPosition start;
    if (properties.containsKey(STARTING_POSITION)) {
      checkArgument(mode == ReadMode.FOLLOW,
          "table property 'startingPosition' is for read=follow; a snapshot reads from the trim horizon");
      start = startingPosition(properties.get(STARTING_POSITION));
    } else {
      start = mode == ReadMode.SNAPSHOT ? StartingPosition.trimHorizon() : StartingPosition.latest();
    }

    String partitionKey = properties.get(PARTITION_KEY);
    if (partitionKey != null) {
      checkArgument(schema.hasField(partitionKey),
          "table property 'partitionKey' names column %s, which kinesis table %s does not have; columns: %s",
          partitionKey, name, schema.getFieldNames());
      MetadataColumn column = MetadataColumn.of(partitionKey);
      checkArgument(column == null || column == MetadataColumn.PARTITION_KEY,
          "table property 'partitionKey' cannot name the metadata column %s", partitionKey);
    } else {
      for (Schema.Field field : schema.getFields()) {
        if (MetadataColumn.of(field.getName()) == MetadataColumn.PARTITION_KEY) {
          partitionKey = field.getName();
        }
      }
    }

    String consumer = properties.get(CONSUMER);
    if (consumer != null) {
      checkArgument(consumer.matches(NAME_PATTERN),
          "table property 'consumer' must be 1 to 128 characters of a-zA-Z0-9_.-, but was: %s", consumer);
    }

    return new AutoValue_KinesisTableConfig(name, stream, endpoint, format, schema, payloadSchema,
        metadata.build(), payloadIndexes.build(), timestampField, delay, idle, mode, start, partitionKey, consumer);
  }

  private static URI endpoint(String value) {
    URI uri;
    try {
      uri = new URI(value.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("table property 'endpoint' must be a URI such as file:///path/to/data "
          + "or http://localhost:4567, but was: " + value, e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    checkArgument(scheme.equals("file") || scheme.equals("http") || scheme.equals("https"),
        "table property 'endpoint' must be a file:, http: or https: URI, but was: %s", value);
    return uri;
  }

  private static StartingPosition startingPosition(String value) {
    String text = value.trim();
    switch (text.toLowerCase(Locale.ROOT)) {
      case "latest":
        return StartingPosition.latest();
      case "trim_horizon":
        return StartingPosition.trimHorizon();
      default:
        try {
          return StartingPosition.atTimestamp(java.time.Instant.parse(text));
        } catch (java.time.format.DateTimeParseException e) {
          throw new IllegalArgumentException("table property 'startingPosition' must be latest, trim_horizon or an "
              + "ISO-8601 instant such as 2026-01-01T00:00:00Z, but was: " + value, e);
        }
    }
  }
}
