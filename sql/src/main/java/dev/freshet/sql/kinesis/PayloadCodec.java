package dev.freshet.sql.kinesis;

import java.io.Serializable;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.jspecify.annotations.Nullable;
import org.joda.time.Instant;

/**
 * Turns a record's data into a row of the payload columns and back, in one {@link PayloadFormat}.
 * The {@code kinesis} table type uses it for records, the {@code firehose} type for delivered lines.
 */
public abstract class PayloadCodec implements Serializable {
  private static final long serialVersionUID = 1L;

  final Schema schema;

  PayloadCodec(Schema schema) {
    this.schema = schema;
  }

  /** The codec of {@code format} for rows of {@code payloadSchema}. */
  public static PayloadCodec of(PayloadFormat format, Schema payloadSchema) {
    switch (format) {
      case JSON:
        return new JsonCodec(payloadSchema);
      case CSV:
        return new CsvCodec(payloadSchema);
      case AVRO:
        return new AvroCodec(payloadSchema);
      default:
        throw new AssertionError(format);
    }
  }

  /** A row of the payload schema; throws a runtime exception saying what does not fit. */
  public abstract Row decode(byte[] data);

  /** The data of one row of the payload schema. */
  public abstract byte[] encode(Row payload);

  /**
   * The value of a TIMESTAMP payload column of a record, or null when it is null or missing.
   * Formats that can find one field without decoding the whole record override this.
   */
  @Nullable Instant timestampOf(byte[] data, String field) {
    Row row = decode(data);
    return row.getDateTime(field) == null ? null : row.getDateTime(field).toInstant();
  }
}
