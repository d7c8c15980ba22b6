package dev.freshet.transforms.firehose;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.jspecify.annotations.Nullable;

/**
 * Reads JSON records against an Avro record schema, as the service's OpenX JSON deserializer
 * does: keys match fields ignoring case, unknown keys are ignored, a missing key is null. Values
 * come out as Avro's generic representation (strings as {@code String}, dates as days, timestamps
 * in the logical type's unit).
 */
final class JsonRecords {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final Schema schema;

  JsonRecords(Schema schema) {
    this.schema = schema;
  }

  /** A record that does not fit; {@link #code} is the service's error code. */
  static final class ConversionException extends Exception {
    private static final long serialVersionUID = 1L;
    final String code;

    ConversionException(String code, String message) {
      super(message);
      this.code = code;
    }
  }

  /** The record {@code json} holds. */
  GenericRecord read(byte[] json) throws ConversionException {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ConversionException(DataFormatConversion.MALFORMED_DATA,
          "The record is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConversionException(DataFormatConversion.MALFORMED_DATA, "The record is not valid JSON: " + e);
    }
    if (node == null || !node.isObject()) {
      throw new ConversionException(DataFormatConversion.MALFORMED_DATA,
          "The record is not a JSON object, but: " + (node == null ? "empty" : node.getNodeType()));
    }
    return (GenericRecord) value(node, schema, "");
  }

  private static @Nullable Object value(@Nullable JsonNode node, Schema type, String path) throws ConversionException {
    boolean absent = node == null || node.isNull() || node.isMissingNode();
    if (type.getType() == Schema.Type.UNION) {
      if (absent) {
        if (type.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL)) {
          return null;
        }
        throw mismatch(path, "is missing or null, but the field is not nullable");
      }
      return value(node, nonNull(type), path);
    }
    if (absent) {
      throw mismatch(path, "is missing or null, but the field is not nullable");
    }
    LogicalType logical = type.getLogicalType();
    switch (type.getType()) {
      case BOOLEAN:
        if (node.isBoolean()) {
          return node.booleanValue();
        }
        if (node.isTextual() && (node.textValue().equalsIgnoreCase("true") || node.textValue().equalsIgnoreCase("false"))) {
          return Boolean.parseBoolean(node.textValue());
        }
        throw mismatch(path, "must be a boolean, but was: " + shortText(node));
      case INT:
        if (logical instanceof LogicalTypes.Date) {
          return date(node, path);
        }
        long asInt = integral(node, path);
        if (asInt < Integer.MIN_VALUE || asInt > Integer.MAX_VALUE) {
          throw mismatch(path, "is out of the range of int: " + asInt);
        }
        return (int) asInt;
      case LONG:
        if (logical instanceof LogicalTypes.TimestampMillis) {
          return timestamp(node, path, false);
        }
        if (logical instanceof LogicalTypes.TimestampMicros) {
          return timestamp(node, path, true);
        }
        return integral(node, path);
      case FLOAT:
        return (float) decimal(node, path);
      case DOUBLE:
        return decimal(node, path);
      case STRING:
        if (node.isValueNode()) {
          return node.asText();
        }
        throw mismatch(path, "must be a string, but was: " + node.getNodeType());
      case ENUM:
        if (node.isTextual() && type.hasEnumSymbol(node.textValue())) {
          return new GenericData.EnumSymbol(type, node.textValue());
        }
        throw mismatch(path, "must be one of " + type.getEnumSymbols() + ", but was: " + shortText(node));
      case RECORD:
        return record(node, type, path);
      case ARRAY:
        if (!node.isArray()) {
          throw mismatch(path, "must be an array, but was: " + node.getNodeType());
        }
        List<Object> items = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
          items.add(value(node.get(i), type.getElementType(), path + "[" + i + "]"));
        }
        return new GenericData.Array<>(type, items);
      case MAP:
        if (!node.isObject()) {
          throw mismatch(path, "must be an object (a map), but was: " + node.getNodeType());
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> entry = it.next();
          map.put(entry.getKey(), value(entry.getValue(), type.getValueType(), path + "." + entry.getKey()));
        }
        return map;
      default:
        throw new AssertionError("checked when the conversion was built: " + type);
    }
  }

  private static GenericRecord record(JsonNode node, Schema type, String path) throws ConversionException {
    if (!node.isObject()) {
      throw mismatch(path, "must be an object, but was: " + node.getNodeType());
    }
    Map<String, JsonNode> byName = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      byName.putIfAbsent(entry.getKey().toLowerCase(Locale.ROOT), entry.getValue());
    }
    GenericData.Record record = new GenericData.Record(type);
    for (Schema.Field field : type.getFields()) {
      JsonNode exact = node.get(field.name());
      JsonNode value = exact != null ? exact : byName.get(field.name().toLowerCase(Locale.ROOT));
      record.put(field.pos(), value(value, field.schema(), path.isEmpty() ? field.name() : path + "." + field.name()));
    }
    return record;
  }

  private static long integral(JsonNode node, String path) throws ConversionException {
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.longValue();
    }
    if (node.isTextual()) {
      try {
        return Long.parseLong(node.textValue().trim());
      } catch (NumberFormatException e) {
        // falls through to the message below
      }
    }
    throw mismatch(path, "must be an integer, but was: " + shortText(node));
  }

  private static double decimal(JsonNode node, String path) throws ConversionException {
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isTextual()) {
      try {
        return Double.parseDouble(node.textValue().trim());
      } catch (NumberFormatException e) {
        // falls through to the message below
      }
    }
    throw mismatch(path, "must be a number, but was: " + shortText(node));
  }

  /** Days since the epoch, from a number of days or an ISO date ({@code 2024-03-07}). */
  private static int date(JsonNode node, String path) throws ConversionException {
    if (node.isIntegralNumber() && node.canConvertToInt()) {
      return node.intValue();
    }
    if (node.isTextual()) {
      try {
        return Math.toIntExact(LocalDate.parse(node.textValue()).toEpochDay());
      } catch (DateTimeParseException | ArithmeticException e) {
        // falls through to the message below
      }
    }
    throw mismatch(path, "must be a date (yyyy-MM-dd or days since the epoch), but was: " + shortText(node));
  }

  /** A timestamp from milliseconds since the epoch or an ISO-8601 instant, in the field's unit. */
  private static long timestamp(JsonNode node, String path, boolean micros) throws ConversionException {
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return micros ? Math.multiplyExact(node.longValue(), 1000L) : node.longValue();
    }
    if (node.isTextual()) {
      try {
        Instant instant = Instant.parse(node.textValue());
        return micros
            ? Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000)
            : instant.toEpochMilli();
      } catch (DateTimeParseException | ArithmeticException e) {
        // falls through to the message below
      }
    }
    throw mismatch(path, "must be a timestamp (milliseconds since the epoch or ISO-8601, e.g. "
        + "2024-03-07T09:41:05Z), but was: " + shortText(node));
  }

  private static ConversionException mismatch(String path, String what) {
    return new ConversionException(DataFormatConversion.SCHEMA_MISMATCH,
        "Field " + (path.isEmpty() ? "(the record)" : path) + " " + what);
  }

  private static String shortText(JsonNode node) {
    String text = node.toString();
    return text.length() > 100 ? text.substring(0, 100) + "..." : text;
  }

  /** The one type of a nullable union. */
  static Schema nonNull(Schema union) {
    for (Schema t : union.getTypes()) {
      if (t.getType() != Schema.Type.NULL) {
        return t;
      }
    }
    throw new AssertionError(union);
  }

  /** Refuses schemas with types conversion does not write, naming the field. */
  static void checkSupported(Schema record) {
    checkType(record, record.getName());
  }

  private static void checkType(Schema type, String path) {
    switch (type.getType()) {
      case BOOLEAN, INT, LONG, FLOAT, DOUBLE, STRING, ENUM -> {
        LogicalType logical = type.getLogicalType();
        if (logical != null && !(logical instanceof LogicalTypes.Date
            || logical instanceof LogicalTypes.TimestampMillis || logical instanceof LogicalTypes.TimestampMicros)) {
          throw unsupported(path, "logical type " + logical.getName());
        }
      }
      case RECORD -> {
        for (Schema.Field field : type.getFields()) {
          checkType(field.schema(), path + "." + field.name());
        }
      }
      case ARRAY -> checkType(type.getElementType(), path + "[]");
      case MAP -> checkType(type.getValueType(), path + "{}");
      case UNION -> {
        List<Schema> types = type.getTypes();
        long nulls = types.stream().filter(t -> t.getType() == Schema.Type.NULL).count();
        if (types.size() != 2 || nulls != 1) {
          throw unsupported(path, "union " + type + " (only a union of null and one type is supported)");
        }
        checkType(nonNull(type), path);
      }
      default -> throw unsupported(path, "type " + type.getType());
    }
  }

  private static IllegalArgumentException unsupported(String path, String what) {
    return new IllegalArgumentException("data format conversion does not support the " + what + " of field " + path
        + "; supported: boolean, int, long, float, double, string, enum, date, timestamp-millis, timestamp-micros, "
        + "records, arrays, maps, and unions of null and one of these");
  }
}
