package dev.freshet.sql.kinesis;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.joda.time.Instant;
import org.joda.time.ReadableInstant;

/**
 * One CSV line per record (RFC 4180 quoting), fields in column order; an empty field is NULL for
 * every type but VARCHAR, TIMESTAMP is ISO-8601. Only scalar columns can be CSV.
 */
final class CsvCodec extends PayloadCodec {
  private static final long serialVersionUID = 1L;
  private static final CSVFormat FORMAT = CSVFormat.RFC4180.withRecordSeparator("");

  CsvCodec(Schema schema) {
    super(schema);
    for (Schema.Field field : schema.getFields()) {
      if (!isScalar(field.getType().getTypeName())) {
        throw new IllegalArgumentException("column " + field.getName() + " is " + field.getType()
            + ", which format csv cannot hold; use format json or avro");
      }
    }
  }

  private static boolean isScalar(Schema.TypeName type) {
    switch (type) {
      case STRING:
      case BYTE:
      case INT16:
      case INT32:
      case INT64:
      case FLOAT:
      case DOUBLE:
      case DECIMAL:
      case BOOLEAN:
      case DATETIME:
        return true;
      default:
        return false;
    }
  }

  @Override
  public Row decode(byte[] data) {
    List<CSVRecord> records;
    try (CSVParser parser = CSVParser.parse(new String(data, StandardCharsets.UTF_8), FORMAT)) {
      records = parser.getRecords();
    } catch (IOException | UncheckedIOException e) {
      throw new IllegalArgumentException("not a CSV line: " + e.getMessage(), e);
    }
    if (records.size() != 1) {
      throw new IllegalArgumentException("expected one CSV line, found " + records.size());
    }
    CSVRecord record = records.get(0);
    if (record.size() != schema.getFieldCount()) {
      throw new IllegalArgumentException("expected " + schema.getFieldCount() + " fields "
          + schema.getFieldNames() + ", found " + record.size());
    }
    Row.Builder row = Row.withSchema(schema);
    for (int i = 0; i < record.size(); i++) {
      Schema.Field field = schema.getField(i);
      String value = record.get(i);
      try {
        row.addValue(convert(field.getType().getTypeName(), value));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("field " + field.getName() + " (" + field.getType().getTypeName()
            + ") cannot be '" + value + "': " + e.getMessage(), e);
      }
    }
    return row.build();
  }

  private static Object convert(Schema.TypeName type, String value) {
    if (type == Schema.TypeName.STRING) {
      return value;
    }
    String text = value.trim();
    if (text.isEmpty()) {
      return null;
    }
    switch (type) {
      case BYTE:
        return Byte.parseByte(text);
      case INT16:
        return Short.parseShort(text);
      case INT32:
        return Integer.parseInt(text);
      case INT64:
        return Long.parseLong(text);
      case FLOAT:
        return Float.parseFloat(text);
      case DOUBLE:
        return Double.parseDouble(text);
      case DECIMAL:
        return new BigDecimal(text);
      case BOOLEAN:
        String bool = text.toLowerCase(Locale.ROOT);
        if (!bool.equals("true") && !bool.equals("false")) {
          throw new IllegalArgumentException("not true or false");
        }
        return Boolean.parseBoolean(bool);
      case DATETIME:
        return Instant.parse(text);
      default:
        throw new AssertionError(type);
    }
  }

  @Override
  public byte[] encode(Row payload) {
    StringWriter out = new StringWriter();
    try (CSVPrinter printer = new CSVPrinter(out, FORMAT)) {
      for (int i = 0; i < payload.getFieldCount(); i++) {
        Object value = payload.getValue(i);
        if (value instanceof ReadableInstant) {
          value = ((ReadableInstant) value).toInstant().toString();
        } else if (value instanceof BigDecimal) {
          value = ((BigDecimal) value).toPlainString();
        }
        printer.print(value);
      }
      printer.println();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }
}
