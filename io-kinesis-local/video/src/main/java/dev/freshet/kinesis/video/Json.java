package dev.freshet.kinesis.video;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/** Reading the requests' JSON and writing the answers', with the service's error messages. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static ObjectNode parse(byte[] body) {
    if (body.length == 0) {
      return MAPPER.createObjectNode();
    }
    try {
      JsonNode node = MAPPER.readTree(body);
      if (node == null || node.isMissingNode()) {
        return MAPPER.createObjectNode();
      }
      if (!node.isObject()) {
        throw VideoException.invalid("The request body must be a JSON object");
      }
      return (ObjectNode) node;
    } catch (IOException e) {
      throw new VideoException("SerializationException", 400, "The request body is not valid JSON: "
          + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
  }

  static @Nullable String text(JsonNode request, String field) {
    JsonNode node = request.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw VideoException.invalid(field + " must be a string");
    }
    return node.asText();
  }

  static String requiredText(JsonNode request, String field) {
    String value = text(request, field);
    if (value == null || value.isEmpty()) {
      throw VideoException.invalid(field + " is required");
    }
    return value;
  }

  static @Nullable Integer integer(JsonNode request, String field, int min, int max) {
    JsonNode node = request.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.canConvertToInt() || !node.isIntegralNumber()) {
      throw VideoException.invalid(field + " must be an integer");
    }
    int value = node.asInt();
    if (value < min || value > max) {
      throw VideoException.invalid(field + " must be between " + min + " and " + max + ", but was: " + value);
    }
    return value;
  }

  /** A timestamp as the SDKs send it: epoch seconds (a number, maybe with a fraction), or ISO-8601. */
  static long timestampMillis(JsonNode request, String field) {
    JsonNode node = request.get(field);
    if (node == null || node.isNull()) {
      throw VideoException.invalid(field + " is required");
    }
    if (node.isNumber()) {
      return node.decimalValue().movePointRight(3).longValue();
    }
    if (node.isTextual()) {
      try {
        return new BigDecimal(node.asText()).movePointRight(3).longValue();
      } catch (NumberFormatException notNumber) {
        try {
          return Instant.parse(node.asText()).toEpochMilli();
        } catch (DateTimeParseException e) {
          throw VideoException.invalid(field + " must be a timestamp (epoch seconds or ISO-8601), but was: "
              + FragmentNumbers.abbreviate(node.asText()));
        }
      }
    }
    throw VideoException.invalid(field + " must be a timestamp");
  }

  /** Epoch seconds with milliseconds, as the SDKs read timestamps. */
  static BigDecimal seconds(long millis) {
    return BigDecimal.valueOf(millis, 3);
  }

  static ObjectNode streamInfo(VideoStreamInfo info) {
    ObjectNode node = MAPPER.createObjectNode();
    if (info.deviceName() != null) {
      node.put("DeviceName", info.deviceName());
    }
    node.put("StreamName", info.streamName());
    node.put("StreamARN", info.streamArn());
    if (info.mediaType() != null) {
      node.put("MediaType", info.mediaType());
    }
    if (info.kmsKeyId() != null) {
      node.put("KmsKeyId", info.kmsKeyId());
    }
    node.put("Version", info.version());
    node.put("Status", info.status());
    node.put("CreationTime", seconds(info.creationTimeMillis()));
    node.put("DataRetentionInHours", info.dataRetentionInHours());
    return node;
  }

  static ObjectNode fragment(FragmentInfo info) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("FragmentNumber", info.fragmentNumber());
    node.put("FragmentSizeInBytes", info.sizeInBytes());
    node.put("ProducerTimestamp", seconds(info.producerTimestampMillis()));
    node.put("ServerTimestamp", seconds(info.serverTimestampMillis()));
    node.put("FragmentLengthInMilliseconds", info.durationMillis());
    return node;
  }
}
