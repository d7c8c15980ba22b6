package dev.freshet.sql.shell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The calls of a Flink cluster's REST API the shell makes for {@code STOP JOB} on a job it did not
 * start (one a previous shell left running there): cancel the job, then read its state. The
 * console's {@link dev.freshet.sql.workspace.SqlWorkspace} uses them for cluster jobs of shells that
 * have exited ({@link JobJournal}).
 */
public final class FlinkRest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FlinkRest() {}

  /**
   * The state of job {@code jobId} on the cluster at {@code master}, as the shell names states:
   * {@code RUNNING} (also while Flink creates, restarts or cancels it), {@code DONE}, {@code
   * CANCELLED}, {@code FAILED}; {@code UNKNOWN} for a job the cluster no longer knows.
   */
  public static String state(String master, String jobId) throws SQLException {
    String url = (master.contains("://") ? master : "http://" + master).replaceAll("/+$", "") + "/jobs/" + jobId;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try {
      HttpResponse<String> job = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (job.statusCode() == 404) {
        return "UNKNOWN";
      }
      if (job.statusCode() / 100 != 2) {
        throw new SQLException("the Flink cluster at " + master + " answered HTTP " + job.statusCode() + " for job " + jobId);
      }
      return switch (JSON.readTree(job.body()).path("state").asText("UNKNOWN")) {
        case "FINISHED" -> "DONE";
        case "CANCELED" -> "CANCELLED";
        case "FAILED" -> "FAILED";
        case "INITIALIZING", "CREATED", "RUNNING", "FAILING", "CANCELLING", "RESTARTING", "RECONCILING" -> "RUNNING";
        default -> "UNKNOWN";
      };
    } catch (IOException e) {
      throw new SQLException("cannot reach the Flink cluster at " + master + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted asking about Flink job " + jobId, e);
    }
  }

  /** Cancels job {@code jobId} on the cluster at {@code master} (host:port) and waits for a final state. */
  public static String cancel(String master, String jobId, Duration timeout) throws SQLException {
    String base = (master.contains("://") ? master : "http://" + master).replaceAll("/+$", "") + "/jobs/" + jobId;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    try {
      HttpResponse<String> cancel = http.send(HttpRequest.newBuilder(URI.create(base + "?mode=cancel"))
          .method("PATCH", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (cancel.statusCode() == 404) {
        throw new SQLException("the Flink cluster at " + master + " has no job " + jobId);
      }
      if (cancel.statusCode() / 100 != 2) {
        throw new SQLException("the Flink cluster at " + master + " did not cancel job " + jobId + ": HTTP "
            + cancel.statusCode() + " " + cancel.body());
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      String state;
      do {
        HttpResponse<String> job = http.send(HttpRequest.newBuilder(URI.create(base)).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(job.body());
        state = body.path("state").asText("UNKNOWN");
        if (state.equals("CANCELED") || state.equals("FINISHED") || state.equals("FAILED")) {
          return state.equals("CANCELED") ? "CANCELLED" : state.equals("FINISHED") ? "DONE" : state;
        }
        Thread.sleep(100);
      } while (System.nanoTime() < deadline);
      return state;
    } catch (IOException e) {
      throw new SQLException("cannot reach the Flink cluster at " + master + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted stopping Flink job " + jobId, e);
    }
  }
}
