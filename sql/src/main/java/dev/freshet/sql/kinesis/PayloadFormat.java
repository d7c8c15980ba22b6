package dev.freshet.sql.kinesis;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a record's data holds the payload columns of a {@code kinesis} table. */
public enum PayloadFormat {
  /** One JSON object per record, fields by column name (Beam's {@code RowJson}). */
  JSON,
  /** One CSV line per record (RFC 4180), fields in column order. */
  CSV,
  /** One Avro binary datum per record (no container), with the schema derived from the columns. */
  AVRO;

  /** The format named by the {@code format} property, ignoring case. */
  public static PayloadFormat parse(String value) {
    for (PayloadFormat format : values()) {
      if (format.name().equalsIgnoreCase(value.trim())) {
        return format;
      }
    }
    throw new IllegalArgumentException("table property 'format' must be one of "
        + Arrays.stream(values()).map(f -> f.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
        + ", but was: " + value);
  }
}
