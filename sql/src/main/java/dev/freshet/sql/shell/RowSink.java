package dev.freshet.sql.shell;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.Row;

/**
 * The last step of a shell query's pipeline: hands each row to the queue the shell's result reads
 * from. Queues are found by query id in this JVM, so the runner must run here (the Direct runner,
 * or Flink in this process); rows of a query nobody reads any more are dropped.
 */
final class RowSink extends DoFn<Row, Void> {
  private static final Map<String, BlockingQueue<Object>> QUEUES = new ConcurrentHashMap<>();

  private final String queryId;

  RowSink(String queryId) {
    this.queryId = checkNotNull(queryId, "queryId");
  }

  /** Makes {@code queue} the destination of the rows of query {@code queryId}. */
  static void register(String queryId, BlockingQueue<Object> queue) {
    QUEUES.put(queryId, queue);
  }

  /** Forgets the queue of {@code queryId}; later rows of that query are dropped. */
  static void unregister(String queryId) {
    QUEUES.remove(queryId);
  }

  @ProcessElement
  public void processElement(@Element Row row) {
    BlockingQueue<Object> queue = QUEUES.get(queryId);
    if (queue != null) {
      queue.add(row);
    }
  }
}
