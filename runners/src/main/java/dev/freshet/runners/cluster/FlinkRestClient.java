package dev.freshet.runners.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The few calls of Flink's REST API the cluster commands need. */
public final class FlinkRestClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final int CONNECT_ATTEMPTS = 3;
  private static final Logger LOG = LoggerFactory.getLogger(FlinkRestClient.class);

  /** {@code GET /overview}. */
  public record Overview(
      String flinkVersion, int taskManagers, int slotsTotal, int slotsAvailable, int jobsRunning) {}

  /** One entry of {@code GET /taskmanagers}. */
  public record TaskManager(String id, int slots, int freeSlots) {}

  /** One entry of {@code GET /jobs/overview}. */
  public record Job(String id, String name, String state, long durationMillis) {}

  /**
   * The checkpoint (or savepoint) a job last restored its state from: {@code latest.restored} of
   * {@code GET /jobs/:id/checkpoints}.
   */
  public record RestoredCheckpoint(long id, boolean savepoint, long restoreTimestampMillis, String externalPath) {}

  private final URI base;
  private final HttpClient http;

  public FlinkRestClient(URI base) {
    this.base = base;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  public URI base() {
    return base;
  }

  public Overview overview() {
    JsonNode node = get("/overview");
    return new Overview(
        node.path("flink-version").asText(),
        node.path("taskmanagers").asInt(),
        node.path("slots-total").asInt(),
        node.path("slots-available").asInt(),
        node.path("jobs-running").asInt());
  }

  public List<TaskManager> taskManagers() {
    List<TaskManager> result = new ArrayList<>();
    for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
      result.add(
          new TaskManager(
              tm.path("id").asText(), tm.path("slotsNumber").asInt(), tm.path("freeSlots").asInt()));
    }
    return result;
  }

  public List<Job> jobs() {
    List<Job> result = new ArrayList<>();
    for (JsonNode job : get("/jobs/overview").path("jobs")) {
      result.add(
          new Job(
              job.path("jid").asText(),
              job.path("name").asText(),
              job.path("state").asText(),
              job.path("duration").asLong()));
    }
    return result;
  }

  /**
   * Whether every task of a job has been deployed and is running (or already finished). A job is
   * RUNNING as soon as it is scheduled, before its tasks are; a savepoint needs the tasks.
   */
  public boolean tasksRunning(String jobId) {
    JsonNode job = get("/jobs/" + jobId);
    if (!"RUNNING".equals(job.path("state").asText())) {
      return false;
    }
    for (JsonNode vertex : job.path("vertices")) {
      String status = vertex.path("status").asText();
      if (!status.equals("RUNNING") && !status.equals("FINISHED")) {
        return false;
      }
    }
    return true;
  }

  /**
   * How many records each vertex of a job has received and sent on so far, by vertex name in the
   * job's order: Flink's {@code read-records} and {@code write-records} per vertex, as {@code
   * "in/out"}. A source vertex reads none; the last vertex of a job that writes to an external
   * system sends none. A diagnostic for a job that writes nothing: it shows where records stop.
   */
  public Map<String, String> vertexRecords(String jobId) {
    Map<String, String> result = new java.util.LinkedHashMap<>();
    for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
      JsonNode metrics = vertex.path("metrics");
      result.put(vertex.path("name").asText(),
          metrics.path("read-records").asLong() + "/" + metrics.path("write-records").asLong());
    }
    return result;
  }

  /**
   * How many failures a job has seen since it was submitted, from its exception history (which
   * Flink keeps up to {@code web.exception-history-size}, 16 by default). Each failure restarts the
   * failed tasks when the restart strategy allows it.
   */
  public int failures(String jobId) {
    return get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries").size();
  }

  /** How many checkpoints of a job have completed. */
  public long completedCheckpoints(String jobId) {
    return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
  }

  /** The id of a job's latest completed checkpoint; empty before the first completes. */
  public OptionalLong latestCompletedCheckpointId(String jobId) {
    JsonNode completed = get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
    return completed.isObject() && completed.has("id") ? OptionalLong.of(completed.path("id").asLong())
        : OptionalLong.empty();
  }

  /**
   * The checkpoint or savepoint the job's state was last restored from (after a failure, or at a
   * start from a savepoint); empty if the job never restored any, that is, if it started from
   * nothing and never restarted, or restarted without a completed checkpoint (from the start).
   */
  public Optional<RestoredCheckpoint> restoredCheckpoint(String jobId) {
    JsonNode restored = get("/jobs/" + jobId + "/checkpoints").path("latest").path("restored");
    if (!restored.isObject() || !restored.has("id")) {
      return Optional.empty();
    }
    return Optional.of(new RestoredCheckpoint(
        restored.path("id").asLong(),
        restored.path("is_savepoint").asBoolean(),
        restored.path("restore_timestamp").asLong(),
        restored.path("external_path").asText()));
  }

  /** Cancels a job without a savepoint; returns once the JobManager accepted the request. */
  public void cancel(String jobId) {
    send(HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "?mode=cancel"))
        .method("PATCH", HttpRequest.BodyPublishers.noBody()));
  }

  /**
   * Stops a job with a savepoint in {@code targetDirectory} (Flink's stop-with-savepoint: sources
   * stop first, so nothing is processed after the savepoint) and returns the savepoint's location
   * once it is complete.
   */
  public String stopWithSavepoint(String jobId, URI targetDirectory, Duration timeout) {
    String body;
    try {
      body = JSON.writeValueAsString(
          Map.of("targetDirectory", targetDirectory.toString(), "drain", false));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    JsonNode accepted =
        send(HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "/stop"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
    String trigger = accepted.path("request-id").asText();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
      if ("COMPLETED".equals(status.path("status").path("id").asText())) {
        JsonNode operation = status.path("operation");
        if (operation.has("failure-cause")) {
          throw new ClusterException(
              "the savepoint of job " + jobId + " failed: "
                  + operation.path("failure-cause").path("stack-trace").asText().lines().findFirst().orElse(""));
        }
        return operation.path("location").asText();
      }
      if (System.nanoTime() > deadline) {
        throw new ClusterException(
            "the savepoint of job " + jobId + " did not complete within " + timeout.toSeconds() + " s");
      }
      sleep(Duration.ofMillis(250));
    }
  }

  /**
   * Sends, trying the connection up to {@link #CONNECT_ATTEMPTS} times: a JobManager busy restoring
   * a job on a loaded machine can leave a connection unaccepted past the connect timeout, and a
   * request whose connection never opened was not received, so sending it again is safe.
   */
  private HttpResponse<String> sendConnecting(HttpRequest request) throws IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (HttpConnectTimeoutException e) {
        if (attempt >= CONNECT_ATTEMPTS) {
          throw e;
        }
        LOG.debug("connecting to {} timed out (attempt {} of {}), trying again", base, attempt, CONNECT_ATTEMPTS);
      }
    }
  }

  private JsonNode get(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET());
  }

  private JsonNode send(HttpRequest.Builder request) {
    HttpRequest built = request.timeout(REQUEST_TIMEOUT).build();
    HttpResponse<String> response;
    try {
      response = sendConnecting(built);
    } catch (IOException e) {
      throw new ClusterException("the Flink REST API at " + base + " did not answer: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterException("interrupted while calling " + built.uri(), e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new ClusterException(
          built.method() + " " + built.uri().getPath() + " failed with HTTP " + response.statusCode()
              + ": " + response.body());
    }
    try {
      return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new ClusterException("not JSON from " + built.uri() + ": " + response.body(), e);
    }
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterException("interrupted", e);
    }
  }
}
