package dev.freshet.sql.workspace;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.values.Row;
import org.joda.time.ReadableInstant;

/**
 * Column types as SQL names and row values as JSON-friendly Java values (what Jackson writes as
 * plain JSON): strings, numbers, booleans, null, lists and maps.
 */
final class SqlValues {
  private SqlValues() {}

  /** The SQL name of a Beam field type: {@code VARCHAR}, {@code BIGINT}, {@code ARRAY<DOUBLE>}, ... */
  static String sqlType(FieldType type) {
    String name = switch (type.getTypeName()) {
      case BYTE -> "TINYINT";
      case INT16 -> "SMALLINT";
      case INT32 -> "INTEGER";
      case INT64 -> "BIGINT";
      case FLOAT -> "FLOAT";
      case DOUBLE -> "DOUBLE";
      case DECIMAL -> "DECIMAL";
      case BOOLEAN -> "BOOLEAN";
      case STRING -> "VARCHAR";
      case BYTES -> "VARBINARY";
      case DATETIME -> "TIMESTAMP";
      case ARRAY, ITERABLE -> "ARRAY<" + sqlType(type.getCollectionElementType()) + ">";
      case MAP -> "MAP<" + sqlType(type.getMapKeyType()) + ", " + sqlType(type.getMapValueType()) + ">";
      case ROW -> {
        List<String> fields = new ArrayList<>();
        for (Schema.Field field : type.getRowSchema().getFields()) {
          fields.add(field.getName() + " " + sqlType(field.getType()));
        }
        yield "ROW(" + String.join(", ", fields) + ")";
      }
      case LOGICAL_TYPE -> logicalType(type);
    };
    return name;
  }

  private static String logicalType(FieldType type) {
    String identifier = type.getLogicalType().getIdentifier();
    if (identifier.endsWith("sql_date") || identifier.equals("DATE")) {
      return "DATE";
    }
    if (identifier.endsWith("sql_time") || identifier.equals("TIME")) {
      return "TIME";
    }
    if (identifier.endsWith("sql_datetime") || identifier.equals("TIMESTAMP")) {
      return "TIMESTAMP";
    }
    if (identifier.equals("CHAR")) {
      return "CHAR";
    }
    return sqlType(type.getLogicalType().getBaseType());
  }

  /** The row's values, in column order, as JSON-friendly values. */
  static List<Object> values(Row row) {
    List<Object> values = new ArrayList<>(row.getFieldCount());
    for (int i = 0; i < row.getFieldCount(); i++) {
      values.add(json(row.getValue(i)));
    }
    return values;
  }

  /**
   * A value as JSON sees it: timestamps as ISO-8601 strings ({@code 2026-01-01T10:00:00.000Z}), dates
   * and times as ISO strings, bytes as base64, decimals as numbers, nested rows as objects.
   */
  static Object json(Object value) {
    if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    if (value instanceof ReadableInstant instant) {
      return instant.toInstant().toString();
    }
    if (value instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    if (value instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return Base64.getEncoder().encodeToString(bytes);
    }
    if (value instanceof Row row) {
      Map<String, Object> fields = new LinkedHashMap<>();
      for (int i = 0; i < row.getFieldCount(); i++) {
        fields.put(row.getSchema().getField(i).getName(), json(row.getValue(i)));
      }
      return fields;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> entries = new LinkedHashMap<>();
      map.forEach((k, v) -> entries.put(String.valueOf(json(k)), json(v)));
      return entries;
    }
    if (value instanceof Iterable<?> items) {
      List<Object> list = new ArrayList<>();
      items.forEach(item -> list.add(json(item)));
      return list;
    }
    // java.time values (DATE, TIME, TIMESTAMP logical types) and anything else: their ISO text.
    return value.toString();
  }
}
