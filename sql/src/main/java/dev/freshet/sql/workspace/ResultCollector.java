package dev.freshet.sql.workspace;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.Row;

/**
 * The last step of a snapshot query's pipeline: keeps the first {@code maxRows} rows for the caller,
 * in this JVM (so the runner must run here: the Direct runner), and notes that more came. Results are
 * found by query id; rows of a query nobody waits for any more are dropped.
 */
final class ResultCollector extends DoFn<Row, Void> {
  /** The rows of one query, as they come. */
  static final class Result {
    private final int maxRows;
    private final List<Row> rows = new ArrayList<>();
    private boolean truncated;

    Result(int maxRows) {
      this.maxRows = maxRows;
    }

    synchronized void add(Row row) {
      if (rows.size() < maxRows) {
        rows.add(row);
      } else {
        truncated = true;
      }
    }

    synchronized List<Row> rows() {
      return List.copyOf(rows);
    }

    synchronized boolean truncated() {
      return truncated;
    }
  }

  private static final Map<String, Result> RESULTS = new ConcurrentHashMap<>();

  private final String queryId;

  ResultCollector(String queryId) {
    this.queryId = checkNotNull(queryId, "queryId");
  }

  static Result register(String queryId, int maxRows) {
    Result result = new Result(maxRows);
    RESULTS.put(queryId, result);
    return result;
  }

  static void unregister(String queryId) {
    RESULTS.remove(queryId);
  }

  @ProcessElement
  public void processElement(@Element Row row) {
    Result result = RESULTS.get(queryId);
    if (result != null) {
      result.add(row);
    }
  }
}
