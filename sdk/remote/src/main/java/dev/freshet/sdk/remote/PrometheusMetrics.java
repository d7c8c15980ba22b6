package dev.freshet.sdk.remote;

import dev.freshet.sdk.stream.ShardMetrics;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a stream's per-shard counters from the Prometheus text a {@code freshet server} serves at
 * {@code GET /metrics}: the {@code freshet_*{stream,shard}} families.
 */
final class PrometheusMetrics {
  private static final String[] FAMILIES = {
    "freshet_incoming_records_total",
    "freshet_incoming_bytes_total",
    "freshet_outgoing_records_total",
    "freshet_outgoing_bytes_total",
    "freshet_write_throttled_total",
    "freshet_read_throttled_total",
    "freshet_iterator_age_milliseconds",
  };

  private PrometheusMetrics() {}

  /** Whether {@code text} comes from a freshet server (it declares the per-shard families). */
  static boolean isFreshet(String text) {
    return text.contains("# TYPE " + FAMILIES[0] + " ");
  }

  /** The counters of {@code stream} by shard id, in shard order; empty if the text has none. */
  static Map<String, ShardMetrics> shardsOf(String text, String stream) {
    Map<String, long[]> values = new TreeMap<>();
    Map<String, Integer> familyIndex = new HashMap<>();
    for (int i = 0; i < FAMILIES.length; i++) {
      familyIndex.put(FAMILIES[i], i);
    }
    for (String line : text.split("\n")) {
      int brace = line.indexOf('{');
      if (line.startsWith("#") || brace < 0) {
        continue;
      }
      Integer family = familyIndex.get(line.substring(0, brace));
      if (family == null) {
        continue;
      }
      int close = labelsEnd(line, brace + 1);
      Map<String, String> labels = labels(line.substring(brace + 1, close));
      if (!stream.equals(labels.get("stream")) || labels.get("shard") == null) {
        continue;
      }
      long value = (long) Double.parseDouble(line.substring(close + 1).trim().split(" ")[0]);
      values.computeIfAbsent(labels.get("shard"), k -> new long[FAMILIES.length])[family] = value;
    }
    Map<String, ShardMetrics> shards = new TreeMap<>();
    values.forEach((shard, v) -> shards.put(shard, ShardMetrics.of(v[0], v[1], v[2], v[3], v[4], v[5], v[6])));
    return shards;
  }

  /** The index of the closing brace, skipping braces inside quoted label values. */
  private static int labelsEnd(String line, int from) {
    boolean quoted = false;
    for (int i = from; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == '}' && !quoted) {
        return i;
      }
    }
    throw new IllegalArgumentException("unterminated labels in metrics line: " + line);
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new HashMap<>();
    int i = 0;
    while (i < text.length()) {
      int eq = text.indexOf('=', i);
      String name = text.substring(i, eq).trim();
      StringBuilder value = new StringBuilder();
      int j = eq + 2; // past ="
      for (; j < text.length() && text.charAt(j) != '"'; j++) {
        char c = text.charAt(j);
        if (c == '\\' && j + 1 < text.length()) {
          char next = text.charAt(++j);
          value.append(next == 'n' ? '\n' : next);
        } else {
          value.append(c);
        }
      }
      labels.put(name, value.toString());
      i = j + 1;
      if (i < text.length() && text.charAt(i) == ',') {
        i++;
      }
    }
    return labels;
  }
}
