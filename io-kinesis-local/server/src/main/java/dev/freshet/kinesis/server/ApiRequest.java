package dev.freshet.kinesis.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The members of one request body, read with the API's types and constraints. A missing required
 * member is a ValidationException naming it; a member of the wrong type is a
 * SerializationException naming it and what it should have been.
 */
final class ApiRequest {
  private final JsonNode body;
  private final WireFormat format;

  ApiRequest(JsonNode body, WireFormat format) {
    if (!body.isObject()) {
      throw ApiException.serialization("The request body must be a " + format + " object, but was: "
          + body.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    this.body = body;
    this.format = format;
  }

  WireFormat format() {
    return format;
  }

  private @Nullable JsonNode member(String name) {
    JsonNode node = body.get(name);
    return node == null || node.isNull() ? null : node;
  }

  private static ApiException missing(String name) {
    return ApiException.validation("1 validation error detected: Value null at '" + lowerFirst(name)
        + "' failed to satisfy constraint: Member must not be null");
  }

  private static ApiException wrongType(String name, String expected, JsonNode got) {
    return ApiException.serialization("Member " + name + " must be " + expected + ", but was: "
        + got.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
  }

  static String lowerFirst(String name) {
    return Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }

  @Nullable String optString(String name) {
    JsonNode node = member(name);
    if (node == null) {
      return null;
    }
    if (!node.isTextual()) {
      throw wrongType(name, "a string", node);
    }
    return node.textValue();
  }

  String string(String name) {
    String value = optString(name);
    if (value == null) {
      throw missing(name);
    }
    return value;
  }

  /** A string member with a length constraint, as the API model states it. */
  String string(String name, int minLength, int maxLength) {
    String value = string(name);
    checkLength(name, value, minLength, maxLength);
    checkPattern(name, value);
    return value;
  }

  @Nullable String optString(String name, int minLength, int maxLength) {
    String value = optString(name);
    if (value != null) {
      checkLength(name, value, minLength, maxLength);
      checkPattern(name, value);
    }
    return value;
  }

  /**
   * The API model's patterns for names and ARNs, by member name. Without them a name the service
   * refuses ({@code "my stream"}) reached the store and came back as ResourceNotFoundException, so
   * a client learnt the wrong thing about its request.
   */
  private static final Map<String, Pattern> PATTERNS = Map.of(
      "StreamName", Pattern.compile("[a-zA-Z0-9_.-]+"),
      "ExclusiveStartStreamName", Pattern.compile("[a-zA-Z0-9_.-]+"),
      "ConsumerName", Pattern.compile("[a-zA-Z0-9_.-]+"),
      "ShardId", Pattern.compile("[a-zA-Z0-9_.-]+"),
      "ExclusiveStartShardId", Pattern.compile("[a-zA-Z0-9_.-]+"),
      "StreamARN", Pattern.compile("arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+"),
      "ConsumerARN", Pattern.compile(
          "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+"),
      "ResourceARN", Pattern.compile("arn:aws.*:kinesis:.*:\\d{12}:.*stream\\/\\S+"));

  private static void checkPattern(String name, String value) {
    Pattern pattern = PATTERNS.get(name);
    if (pattern != null && !pattern.matcher(value).matches()) {
      throw ApiException.validation(String.format("1 validation error detected: Value '%s' at '%s' "
          + "failed to satisfy constraint: Member must satisfy regular expression pattern: %s",
          abbreviate(value), lowerFirst(name), pattern.pattern()));
    }
  }

  private static void checkLength(String name, String value, int min, int max) {
    int length = value.codePointCount(0, value.length());
    if (length < min || length > max) {
      throw ApiException.validation(String.format("1 validation error detected: Value at '%s' failed "
          + "to satisfy constraint: Member must have length between %d and %d, but had %d",
          lowerFirst(name), min, max, length));
    }
  }

  @Nullable Integer optInt(String name, int min, int max) {
    JsonNode node = member(name);
    if (node == null) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw wrongType(name, "an integer", node);
    }
    int value = node.intValue();
    if (value < min || value > max) {
      throw ApiException.validation(String.format("1 validation error detected: Value '%d' at '%s' "
          + "failed to satisfy constraint: Member must have value between %d and %d",
          value, lowerFirst(name), min, max));
    }
    return value;
  }

  /** An integer member whose range the {@code StreamClient} checks, not the wire. */
  @Nullable Integer optInt(String name) {
    return optInt(name, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  int integer(String name, int min, int max) {
    Integer value = optInt(name, min, max);
    if (value == null) {
      throw missing(name);
    }
    return value;
  }

  boolean optBoolean(String name) {
    JsonNode node = member(name);
    if (node == null) {
      return false;
    }
    if (!node.isBoolean()) {
      throw wrongType(name, "a boolean", node);
    }
    return node.booleanValue();
  }

  /** A blob: base64 text in JSON, a byte string in CBOR (text is accepted from CBOR too). */
  byte[] blob(String name) {
    JsonNode node = member(name);
    if (node == null) {
      throw missing(name);
    }
    if (node.isBinary()) {
      try {
        return node.binaryValue();
      } catch (java.io.IOException e) {
        throw wrongType(name, "a blob", node);
      }
    }
    if (node.isTextual()) {
      try {
        return Base64.getDecoder().decode(node.textValue());
      } catch (IllegalArgumentException e) {
        throw ApiException.serialization("Member " + name + " is not valid base64: " + e.getMessage());
      }
    }
    throw wrongType(name, "a blob", node);
  }

  @Nullable Instant optTimestamp(String name) {
    JsonNode node = member(name);
    if (node == null) {
      return null;
    }
    try {
      return format.timestamp(node);
    } catch (RuntimeException e) {
      throw ApiException.serialization("Member " + name + " is not a timestamp: " + abbreviate(node.toString()));
    }
  }

  @Nullable ApiRequest optObject(String name) {
    JsonNode node = member(name);
    if (node == null) {
      return null;
    }
    if (!node.isObject()) {
      throw wrongType(name, "an object", node);
    }
    return new ApiRequest(node, format);
  }

  List<ApiRequest> objects(String name) {
    List<ApiRequest> result = new ArrayList<>();
    for (JsonNode element : array(name)) {
      if (!element.isObject()) {
        throw wrongType(name + " element", "an object", element);
      }
      result.add(new ApiRequest(element, format));
    }
    return result;
  }

  List<String> strings(String name) {
    List<String> result = new ArrayList<>();
    for (JsonNode element : array(name)) {
      if (!element.isTextual()) {
        throw wrongType(name + " element", "a string", element);
      }
      result.add(element.textValue());
    }
    return result;
  }

  private List<JsonNode> array(String name) {
    JsonNode node = member(name);
    if (node == null) {
      throw missing(name);
    }
    if (!node.isArray()) {
      throw wrongType(name, "a list", node);
    }
    List<JsonNode> elements = new ArrayList<>(node.size());
    node.forEach(elements::add);
    return elements;
  }

  /** A string-to-string map member, or an empty map when absent. */
  Map<String, String> stringMap(String name) {
    JsonNode node = member(name);
    Map<String, String> map = new LinkedHashMap<>();
    if (node == null) {
      return map;
    }
    if (!node.isObject()) {
      throw wrongType(name, "a map", node);
    }
    node.fields().forEachRemaining(field -> {
      if (!field.getValue().isTextual()) {
        throw wrongType(name + "." + field.getKey(), "a string", field.getValue());
      }
      map.put(field.getKey(), field.getValue().textValue());
    });
    return map;
  }

  /** The stream a request names, by StreamARN or StreamName (the ARN wins when both are given). */
  String stream() {
    String arn = optString("StreamARN", 1, 2048);
    if (arn != null) {
      return arn;
    }
    String name = optString("StreamName", 1, 128);
    if (name == null) {
      throw ApiException.validation("Either StreamName or StreamARN should be provided.");
    }
    return name;
  }

  static String abbreviate(String value) {
    return value.length() > 64 ? value.substring(0, 64) + "…" : value;
  }
}
