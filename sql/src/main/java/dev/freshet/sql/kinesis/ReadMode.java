package dev.freshet.sql.kinesis;

/** Whether a query follows the stream forever or reads what it holds when the query starts. */
enum ReadMode {
  /** Unbounded: reads new records as they come; the default. */
  FOLLOW,
  /** Bounded: reads every record that arrived before the query started, then ends. */
  SNAPSHOT;

  static ReadMode parse(String value) {
    switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "follow":
        return FOLLOW;
      case "snapshot":
        return SNAPSHOT;
      default:
        throw new IllegalArgumentException("table property 'read' must be follow or snapshot, but was: " + value);
    }
  }
}
