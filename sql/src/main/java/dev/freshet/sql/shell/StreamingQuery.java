package dev.freshet.sql.shell;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Types;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import javax.sql.rowset.RowSetMetaDataImpl;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamRelNode;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamSqlRelUtils;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.type.RelDataTypeField;
import org.jspecify.annotations.Nullable;
import org.joda.time.ReadableInstant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An unbounded {@code SELECT} running in the shell: its pipeline runs in the background and hands
 * rows to a queue as windows close; the {@link ResultSet} sqlline prints (incrementally) takes them
 * from the queue. The query ends when {@code LIMIT} rows have come, when the pipeline ends or fails,
 * or when {@link #cancel} (Ctrl-C) or {@link #close} cancels its pipeline.
 */
final class StreamingQuery implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamingQuery.class);
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  /** What the queue holds after the last row: the pipeline ended, was cancelled, or failed. */
  private record End(@Nullable String failure) {}

  private final String id = "shell-query-" + UUID.randomUUID();
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final List<RelDataTypeField> columns;
  private final long limit;
  private final PipelineResult result;
  private long rowsRead;
  private @Nullable Row current;
  private volatile boolean ended;

  private StreamingQuery(BeamRelNode node, PipelineOptions options, long limit) {
    this.columns = node.getRowType().getFieldList();
    this.limit = limit;
    RowSink.register(id, queue);
    Pipeline pipeline = Pipeline.create(options);
    BeamSqlRelUtils.toPCollection(pipeline, node).apply("ToShell", ParDo.of(new RowSink(id)));
    this.result = pipeline.run();
    Thread watcher = new Thread(this::watch, id + "-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }

  /**
   * Starts the query's pipeline on the runner of {@code options}, which must run it in this JVM and
   * return at once (the Direct runner with {@code blockOnRun=false}).
   *
   * @param limit how many rows to print before the query is cancelled; negative for no limit
   */
  static StreamingQuery start(BeamRelNode node, PipelineOptions options, long limit) {
    return new StreamingQuery(node, options, limit);
  }

  /** Waits for the pipeline to end by itself (a bounded source ran out) or fail. */
  private void watch() {
    String failure = null;
    try {
      result.waitUntilFinish();
    } catch (RuntimeException e) {
      if (!ended) {
        failure = ShellErrors.message(e);
        LOG.debug("shell query {} failed", id, e);
      }
    }
    queue.add(new End(failure));
  }

  /** Cancels the pipeline (its runner's threads end) and wakes a reader waiting for a row. */
  void cancel() {
    if (ended) {
      return;
    }
    ended = true;
    RowSink.unregister(id);
    try {
      result.cancel();
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("cannot cancel the pipeline of shell query {}: {}", id, e.toString());
    }
    queue.add(new End(null));
  }

  /** The state of the query's pipeline. */
  PipelineResult.State state() {
    return result.getState();
  }

  @Override
  public void close() {
    cancel();
  }

  /** The next row, waiting for one; false when the query has ended. */
  private boolean next() throws SQLException {
    if (limit >= 0 && rowsRead >= limit) {
      cancel();
      return false;
    }
    Object item;
    try {
      item = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel();
      return false;
    }
    if (item instanceof End end) {
      current = null;
      cancel();
      if (end.failure() != null) {
        throw new SQLException(end.failure());
      }
      return false;
    }
    current = (Row) item;
    rowsRead++;
    return true;
  }

  private @Nullable String value(Object indexOrLabel) throws SQLException {
    if (current == null) {
      throw new SQLException("no current row");
    }
    int index = column(indexOrLabel);
    return text(current.getValue(index));
  }

  private int column(Object indexOrLabel) throws SQLException {
    if (indexOrLabel instanceof Integer index) {
      return index - 1;
    }
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).getName().equalsIgnoreCase(String.valueOf(indexOrLabel))) {
        return i;
      }
    }
    throw new SQLException("no column " + indexOrLabel);
  }

  /** A value as the shell prints it; timestamps as Beam's shell shows them, in UTC. */
  static @Nullable String text(@Nullable Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof ReadableInstant instant) {
      return timestamp(java.time.Instant.ofEpochMilli(instant.getMillis()));
    }
    if (value instanceof java.time.Instant instant) {
      return timestamp(instant);
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    return value.toString();
  }

  private static String timestamp(java.time.Instant instant) {
    return (instant.getNano() == 0 ? SECONDS : MILLIS).format(instant);
  }

  /** The rows of the query, as sqlline reads them: every column is text. */
  ResultSet resultSet() throws SQLException {
    RowSetMetaDataImpl meta = new RowSetMetaDataImpl();
    meta.setColumnCount(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      RelDataTypeField field = columns.get(i);
      String type = field.getType().getSqlTypeName().getName();
      meta.setColumnName(i + 1, field.getName());
      meta.setColumnLabel(i + 1, field.getName());
      meta.setColumnType(i + 1, Types.VARCHAR);
      meta.setColumnTypeName(i + 1, type);
      meta.setColumnDisplaySize(i + 1, Math.max(field.getName().length(), displaySize(type)));
    }
    boolean[] closed = {false};
    return (ResultSet) Proxy.newProxyInstance(StreamingQuery.class.getClassLoader(), new Class<?>[] {ResultSet.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "next" -> next();
          case "getString", "getObject" -> value(args[0]);
          case "findColumn" -> column(args[0]) + 1;
          case "getMetaData" -> meta;
          case "wasNull" -> false;
          case "isClosed" -> closed[0];
          case "close" -> {
            closed[0] = true;
            cancel();
            yield null;
          }
          case "getWarnings", "getStatement" -> null;
          case "clearWarnings", "setFetchSize", "setFetchDirection" -> null;
          case "getType" -> ResultSet.TYPE_FORWARD_ONLY;
          case "getConcurrency" -> ResultSet.CONCUR_READ_ONLY;
          case "getFetchSize" -> 0;
          case "getFetchDirection" -> ResultSet.FETCH_FORWARD;
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "StreamingQuery " + id;
          case "unwrap", "isWrapperFor" -> throw new SQLFeatureNotSupportedException(method.getName());
          default -> throw new SQLFeatureNotSupportedException(method.getName() + " of a streaming query's rows");
        });
  }

  /** Column widths for incremental printing, where sqlline cannot look at the rows first. */
  private static int displaySize(String sqlType) {
    return switch (sqlType) {
      case "TIMESTAMP", "TIMESTAMP_WITH_LOCAL_TIME_ZONE" -> 19;
      case "BOOLEAN" -> 5;
      case "TINYINT", "SMALLINT", "INTEGER" -> 8;
      case "BIGINT", "DOUBLE", "FLOAT", "REAL", "DECIMAL" -> 10;
      default -> 12;
    };
  }
}
