package dev.freshet.sql.kinesis;

import dev.freshet.sdk.io.StreamRecord;
import java.util.Locale;
import org.apache.beam.sdk.schemas.Schema;
import org.joda.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The columns a {@code kinesis} table may declare to see where a record came from rather than what
 * it holds. They are taken from the record, not from its data, and are not written on INSERT
 * (except a {@code partition_key} used as the partition key).
 */
enum MetadataColumn {
  PARTITION_KEY("partition_key", Schema.TypeName.STRING),
  SEQUENCE_NUMBER("sequence_number", Schema.TypeName.STRING),
  SHARD_ID("shard_id", Schema.TypeName.STRING),
  ARRIVAL_TIME("arrival_time", Schema.TypeName.DATETIME),
  /** The arrival time under the name the retired Kinesis Data Analytics SQL gave it. */
  ROWTIME("ROWTIME", Schema.TypeName.DATETIME),
  /**
   * When the query read the record (the reading worker's clock). Windows over it are
   * processing-time windows; with {@code "timestampField": "processing_time"} the table's watermark
   * follows the clock too, so they close as time passes whatever the records say.
   */
  PROCESSING_TIME("processing_time", Schema.TypeName.DATETIME);

  private final String columnName;
  private final Schema.TypeName type;

  MetadataColumn(String columnName, Schema.TypeName type) {
    this.columnName = columnName;
    this.type = type;
  }

  String columnName() {
    return columnName;
  }

  Schema.TypeName type() {
    return type;
  }

  /** The metadata column a declared column is, by name ignoring case; null for a payload column. */
  static @Nullable MetadataColumn of(String name) {
    for (MetadataColumn column : values()) {
      if (column.columnName.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        return column;
      }
    }
    return null;
  }

  Object valueOf(StreamRecord record) {
    switch (this) {
      case PARTITION_KEY:
        return record.partitionKey();
      case SEQUENCE_NUMBER:
        return record.sequenceNumber();
      case SHARD_ID:
        return record.shardId();
      case ARRIVAL_TIME:
      case ROWTIME:
        return record.approximateArrivalTimestamp();
      case PROCESSING_TIME:
        return Instant.now();
      default:
        throw new AssertionError(this);
    }
  }
}
