package dev.freshet.kinesis.firehose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The service's MetadataExtractionQuery, a jq object constructor such as {@code
 * {customer:.customer_id, device:.device.type}}, split into one jq query per partition key.
 */
final class MetadataQuery {
  private MetadataQuery() {}

  /** The queries by key; {@code {key}} alone stands for {@code {key: .key}}, as in jq. */
  static Map<String, String> parse(String query, String member) {
    String text = query.trim();
    if (text.length() < 2 || text.charAt(0) != '{' || text.charAt(text.length() - 1) != '}') {
      throw FirehoseException.invalid("%s: MetadataExtractionQuery must be a jq object such as "
          + "{customer:.customer_id}, but was: %s", member, query);
    }
    Map<String, String> keys = new LinkedHashMap<>();
    for (String entry : split(text.substring(1, text.length() - 1), ',')) {
      if (entry.isBlank()) {
        throw FirehoseException.invalid("%s: MetadataExtractionQuery has an empty entry: %s", member, query);
      }
      List<String> parts = split(entry, ':');
      String key = parts.get(0).trim();
      if (key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"")) {
        key = key.substring(1, key.length() - 1);
      }
      String value = parts.size() == 1 ? "." + key : entry.substring(entry.indexOf(':') + 1).trim();
      if (keys.put(key, value) != null) {
        throw FirehoseException.invalid("%s: MetadataExtractionQuery names key %s twice", member, key);
      }
    }
    return keys;
  }

  /** Splits at {@code separator} outside brackets, braces, parentheses and strings. */
  private static List<String> split(String text, char separator) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth--;
      } else if (c == separator && depth == 0) {
        parts.add(text.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(text.substring(start));
    return parts;
  }
}
