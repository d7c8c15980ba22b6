package dev.freshet.transforms.firehose;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The destination partition a record is buffered in, as the string key of the buffering stage:
 * the error output type (none for delivered data) and the partition key values, in a canonical
 * JSON form so that equal partitions have equal keys.
 */
record DeliveryKey(@Nullable String errorOutputType, SortedMap<String, String> partitionKeys) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static String queryKey(String key) {
    return "query:" + key;
  }

  static String lambdaKey(String key) {
    return "lambda:" + key;
  }

  /** The key of data without partition keys, encoded once: most deliveries use only this one. */
  static final String UNPARTITIONED_DATA = new DeliveryKey(null, new TreeMap<>()).encode();

  static DeliveryKey data(Map<String, String> partitionKeys) {
    return new DeliveryKey(null, new TreeMap<>(partitionKeys));
  }

  static DeliveryKey error(String errorOutputType) {
    return new DeliveryKey(errorOutputType, new TreeMap<>());
  }

  String encode() {
    ArrayNode array = JSON.createArrayNode();
    array.add(errorOutputType);
    ObjectNode keys = array.addObject();
    partitionKeys.forEach(keys::put);
    try {
      return JSON.writeValueAsString(array);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static DeliveryKey decode(String encoded) {
    try {
      JsonNode array = JSON.readTree(encoded);
      JsonNode type = array.get(0);
      SortedMap<String, String> keys = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = array.get(1).fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        keys.put(entry.getKey(), entry.getValue().asText());
      }
      return new DeliveryKey(type.isNull() ? null : type.asText(), keys);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
