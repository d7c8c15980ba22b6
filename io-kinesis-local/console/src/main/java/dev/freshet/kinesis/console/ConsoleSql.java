package dev.freshet.kinesis.console;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The SQL page's back end, optional: the console shows "SQL not available" without one. {@code
 * freshet server} gives the console one over freshet-sql's workspace (the catalog in {@code
 * <data-dir>/sql/catalog} and its {@code INSERT INTO} jobs); the console module itself does not
 * depend on Beam SQL. Every method answers JSON that the console passes to the page as it is, and
 * throws {@link IllegalArgumentException} for a statement it refuses (shown to the user, HTTP 400).
 * The console closes it when the server closes the console.
 */
public interface ConsoleSql extends AutoCloseable {
  /**
   * The catalog's tables: an array of objects with at least {@code name} and {@code type}, and
   * {@code columns} (an array of {@code {name, type}}) and {@code properties} when known.
   */
  JsonNode tables();

  /**
   * The background {@code INSERT INTO} jobs: an array of objects with at least {@code id}, {@code
   * sql} and {@code state}, and {@code outputRecordsPerSecond} / {@code outputRecords} when known.
   */
  JsonNode jobs();

  /**
   * Runs a bounded (snapshot) {@code SELECT}: {@code {columns: [name…], rows: [[value…]…],
   * truncated: bool}}, at most {@code maxRows} rows.
   */
  JsonNode query(String sql, int maxRows);

  /** Starts {@code insertSql} ({@code INSERT INTO … SELECT …}) as a background job; returns it as {@link #jobs()} lists it. */
  JsonNode submit(String insertSql);

  /** Stops the job {@code jobId}; an unknown id is an {@link IllegalArgumentException}. */
  void stop(String jobId);

  /** Ends what the back end runs (its jobs); called once, when the console closes. */
  @Override
  default void close() {}
}
