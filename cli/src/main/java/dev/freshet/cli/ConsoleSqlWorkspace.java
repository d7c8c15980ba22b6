package dev.freshet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.kinesis.console.ConsoleService;
import dev.freshet.kinesis.console.ConsoleSql;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import dev.freshet.sql.workspace.SqlWorkspace;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The console's SQL page over freshet-sql's {@link SqlWorkspace}: the catalog of the server's data
 * folder, snapshot queries and {@code INSERT INTO} jobs on the Direct runner in the server's JVM.
 * The workspace (and Beam SQL with it) is opened at the first SQL request, so the server starts as
 * fast as without it; the store the server serves is then registered under the data folder's {@code
 * file:} endpoint, so the tables that name no endpoint read and write it in process.
 */
final class ConsoleSqlWorkspace implements ConsoleSql {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long a console query may run before it is cancelled. */
  static final Duration QUERY_TIMEOUT = Duration.ofSeconds(60);

  private final Path dataDir;
  private final StreamClient store;
  private StreamClients.@Nullable Lease lease;
  private @Nullable SqlWorkspace workspace;
  private boolean closed;

  private ConsoleSqlWorkspace(Path dataDir, StreamClient store) {
    this.dataDir = dataDir;
    this.store = store;
  }

  /** Gives {@code console} the SQL page over the catalog in {@code dataDir}, read by the server's {@code store}. */
  static ConsoleService.Builder attach(ConsoleService.Builder console, Path dataDir, StreamClient store) {
    return console.setSql(new ConsoleSqlWorkspace(dataDir, store));
  }

  private synchronized SqlWorkspace workspace() {
    if (closed) {
      throw new IllegalStateException("the server is stopping");
    }
    if (workspace == null) {
      URI endpoint = StreamClients.endpointOf(dataDir);
      if (!StreamClients.isOpen(endpoint)) {
        lease = StreamClients.register(endpoint, store);
      }
      workspace = SqlWorkspace.open(dataDir, endpoint);
    }
    return workspace;
  }

  @Override
  public JsonNode tables() {
    ArrayNode array = JSON.createArrayNode();
    for (SqlWorkspace.TableInfo table : workspace().tables()) {
      ObjectNode node = array.addObject();
      node.put("name", table.name());
      node.put("type", table.type());
      ArrayNode columns = node.putArray("columns");
      table.columns().forEach(c -> columns.addObject().put("name", c.name()).put("type", c.type()));
      if (table.location() != null) {
        node.put("location", table.location());
      }
      node.set("properties", JSON.valueToTree(table.properties()));
      if (table.comment() != null) {
        node.put("comment", table.comment());
      }
    }
    return array;
  }

  @Override
  public JsonNode jobs() {
    ArrayNode array = JSON.createArrayNode();
    workspace().jobs().forEach(job -> array.add(job(job)));
    return array;
  }

  private static ObjectNode job(SqlWorkspace.JobInfo job) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", job.id());
    node.put("sql", job.statement());
    node.put("runner", job.runner());
    node.put("state", job.state());
    if (job.failure() != null) {
      node.put("failure", job.failure());
    }
    node.put("startedMillis", job.started().toEpochMilli());
    if (job.rowsWritten() != null) {
      node.put("outputRecords", job.rowsWritten());
    }
    if (job.rowsPerSecond() != null) {
      node.put("outputRecordsPerSecond", job.rowsPerSecond());
    }
    if (job.flinkJobId() != null) {
      node.put("flinkJobId", job.flinkJobId());
    }
    if (job.process() != null) {
      node.put("process", job.process());
    }
    return node;
  }

  @Override
  public JsonNode query(String sql, int maxRows) {
    SqlWorkspace.QueryResult result;
    try {
      result = workspace().query(sql, maxRows, QUERY_TIMEOUT);
    } catch (IllegalStateException e) {
      // Did not finish in time: the user's query, not the server, is at fault.
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    ObjectNode node = JSON.createObjectNode();
    ArrayNode columns = node.putArray("columns");
    ArrayNode types = node.putArray("types");
    result.columns().forEach(c -> {
      columns.add(c.name());
      types.add(c.type());
    });
    node.set("rows", JSON.valueToTree(result.rows()));
    node.put("truncated", result.truncated());
    return node;
  }

  @Override
  public JsonNode submit(String insertSql) {
    SqlWorkspace sql = workspace();
    String id = sql.submit(insertSql);
    return sql.jobs().stream().filter(job -> job.id().equals(id)).findFirst().map(ConsoleSqlWorkspace::job)
        .orElseGet(() -> JSON.createObjectNode().put("id", id));
  }

  @Override
  public void stop(String jobId) {
    workspace().stop(jobId);
  }

  /** Cancels the jobs of this server and releases the store's registration. */
  @Override
  public synchronized void close() {
    closed = true;
    try {
      if (workspace != null) {
        workspace.close();
      }
    } finally {
      if (lease != null) {
        lease.close();
      }
    }
  }
}
