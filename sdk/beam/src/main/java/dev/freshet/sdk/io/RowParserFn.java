package dev.freshet.sdk.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.util.RowJson.RowJsonDeserializer;
import org.apache.beam.sdk.util.RowJsonUtils;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/** Parses record payloads into rows of a schema; a record that does not fit fails with its position. */
final class RowParserFn extends DoFn<StreamRecord, Row> {
  private static final long serialVersionUID = 1L;

  private final Schema schema;
  private final RowFormat format;
  private transient ObjectMapper json;

  RowParserFn(Schema schema, RowFormat format) {
    this.schema = schema;
    this.format = format;
  }

  @Setup
  public void setup() {
    if (format == RowFormat.JSON) {
      json = RowJsonUtils.newObjectMapperWith(RowJsonDeserializer.forSchema(schema));
    }
  }

  @ProcessElement
  public void process(@Element StreamRecord record, OutputReceiver<Row> out) {
    try {
      out.output(format == RowFormat.JSON
          ? RowJsonUtils.jsonToRow(json, record.dataAsString())
          : csvRow(schema, record.dataAsString()));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(String.format("record %s of shard %s of stream %s is not %s "
          + "for schema %s: %s", record.sequenceNumber(), record.shardId(), record.streamName(), format,
          schema.getFieldNames(), e.getMessage()), e);
    }
  }

  /** One CSV line as a row: fields in schema order; an empty unquoted field is null. */
  static Row csvRow(Schema schema, String line) {
    List<String> values = splitCsv(line);
    if (values.size() != schema.getFieldCount()) {
      throw new IllegalArgumentException("expected " + schema.getFieldCount() + " fields, found " + values.size());
    }
    Row.Builder row = Row.withSchema(schema);
    for (int i = 0; i < values.size(); i++) {
      Schema.Field field = schema.getField(i);
      String value = values.get(i);
      if (value == null) {
        if (!field.getType().getNullable()) {
          throw new IllegalArgumentException("field " + field.getName() + " is empty but not nullable");
        }
        row.addValue(null);
        continue;
      }
      try {
        row.addValue(convert(field.getType(), value));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("field " + field.getName() + " (" + field.getType().getTypeName()
            + ") cannot be '" + value + "': " + e.getMessage(), e);
      }
    }
    return row.build();
  }

  private static Object convert(Schema.FieldType type, String value) {
    switch (type.getTypeName()) {
      case STRING:
        return value;
      case BYTE:
        return Byte.parseByte(value.trim());
      case INT16:
        return Short.parseShort(value.trim());
      case INT32:
        return Integer.parseInt(value.trim());
      case INT64:
        return Long.parseLong(value.trim());
      case FLOAT:
        return Float.parseFloat(value.trim());
      case DOUBLE:
        return Double.parseDouble(value.trim());
      case DECIMAL:
        return new BigDecimal(value.trim());
      case BOOLEAN:
        String bool = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (!bool.equals("true") && !bool.equals("false")) {
          throw new IllegalArgumentException("not true or false");
        }
        return Boolean.parseBoolean(bool);
      case DATETIME:
        return Instant.parse(value.trim());
      default:
        throw new IllegalArgumentException("CSV fields of type " + type.getTypeName() + " are not supported");
    }
  }

  /** Splits one RFC 4180 line; quoted fields may hold commas and doubled quotes; null for an empty unquoted field. */
  static List<String> splitCsv(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    int i = 0;
    String text = line.endsWith("\r\n") ? line.substring(0, line.length() - 2)
        : line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(c);
        }
      } else if (c == '"' && field.length() == 0 && !wasQuoted) {
        quoted = true;
        wasQuoted = true;
      } else if (c == ',') {
        fields.add(field.length() == 0 && !wasQuoted ? null : field.toString());
        field.setLength(0);
        wasQuoted = false;
      } else {
        field.append(c);
      }
      i++;
    }
    if (quoted) {
      throw new IllegalArgumentException("unterminated quoted field");
    }
    fields.add(field.length() == 0 && !wasQuoted ? null : field.toString());
    return fields;
  }
}
