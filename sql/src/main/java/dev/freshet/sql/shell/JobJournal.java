package dev.freshet.sql.shell;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where SQL shells record their background jobs, so that other processes (the server's console) can
 * list them: one JSON file per job in {@code <data-dir>/sql/jobs}, named {@code
 * <session>-<job id>.json}, rewritten by the shell once a second while the job runs and once more
 * when it ends (or the shell closes). A file holds the job's id, statement, runner, start, the
 * shell's process id and start time, the state, the failure, the rows written, the Flink job id and
 * when it was written.
 *
 * <p>A reader ({@link #read}, then {@link #current}) trusts a file while the shell that writes it is
 * alive (same process id and start time). Once that process is gone, a job on a Flink cluster is
 * asked about through the cluster's REST API (it outlives the shell); a job that ran in the shell's
 * process ended with it: the state in the file if it was final, otherwise {@code UNKNOWN} with why.
 * Files of in-process jobs of shells that are gone are deleted when a shell opens the journal.
 */
public final class JobJournal {
  private static final Logger LOG = LoggerFactory.getLogger(JobJournal.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SUFFIX = ".json";

  /** Where a data folder's journal lives, relative to it. */
  public static final String FOLDER = "sql/jobs";

  /**
   * One job as its shell last recorded it.
   *
   * @param session the shell that runs it: its process id, a dash, and a tag ({@code 4711-3f2a})
   * @param id the job's id in that shell ({@code job-1})
   * @param statement the statement, on one line
   * @param runner {@code direct}, {@code flink} or {@code flink host:port}
   * @param started when it started
   * @param pid the shell's process id
   * @param processStart when the shell's process started (to tell a reused process id); may be null
   * @param state the state last recorded
   * @param failure why it failed, if it did
   * @param recordsOut rows written, as last recorded; may be null
   * @param flinkJobId the Flink job id, on Flink
   * @param updated when the file was written
   */
  public record Entry(String session, String id, String statement, String runner, Instant started, long pid,
      @Nullable Instant processStart, String state, @Nullable String failure, @Nullable Long recordsOut,
      @Nullable String flinkJobId, Instant updated) {}

  private final Path folder;
  private final String session;

  private JobJournal(Path folder) {
    this.folder = folder;
    ProcessHandle self = ProcessHandle.current();
    this.session = self.pid() + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
  }

  /** The journal folder of the data folder {@code dataDir}. */
  public static Path folder(Path dataDir) {
    return checkNotNull(dataDir, "dataDir").toAbsolutePath().normalize().resolve(FOLDER);
  }

  /** A journal for one shell's jobs in {@code folder}; forgets in-process jobs of shells that are gone. */
  static JobJournal open(Path folder) {
    JobJournal journal = new JobJournal(folder);
    for (Entry entry : read(folder)) {
      if (!alive(entry) && !onCluster(entry)) {
        try {
          Files.deleteIfExists(folder.resolve(fileName(entry.session(), entry.id())));
        } catch (IOException e) {
          LOG.debug("cannot delete {}: {}", entry, e.toString());
        }
      }
    }
    return journal;
  }

  /** Records {@code status} of a job of this shell (a failure to write is logged, not thrown). */
  void write(ShellJobs.Status status) {
    ProcessHandle self = ProcessHandle.current();
    ObjectNode node = JSON.createObjectNode();
    node.put("session", session);
    node.put("id", status.id());
    node.put("statement", status.statement());
    node.put("runner", status.runner());
    node.put("started", status.started().toString());
    node.put("pid", self.pid());
    self.info().startInstant().ifPresent(start -> node.put("processStart", start.truncatedTo(ChronoUnit.MILLIS).toString()));
    node.put("state", status.state());
    node.put("failure", status.failure());
    if (status.recordsOut() != null) {
      node.put("recordsOut", status.recordsOut());
    }
    node.put("flinkJobId", status.flinkJobId());
    node.put("updated", Instant.now().toString());
    Path target = folder.resolve(fileName(session, status.id()));
    Path temp = folder.resolve("." + target.getFileName() + ".tmp");
    try {
      Files.createDirectories(folder);
      Files.write(temp, JSON.writeValueAsBytes(node));
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      LOG.warn("cannot record SQL job {} in {}: {}", status.id(), folder, e.toString());
    }
  }

  /** Every job recorded in {@code folder}, oldest first; files that cannot be read are skipped. */
  public static List<Entry> read(Path folder) {
    checkNotNull(folder, "folder");
    List<Entry> entries = new ArrayList<>();
    if (!Files.isDirectory(folder)) {
      return entries;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*" + SUFFIX)) {
      for (Path file : files) {
        try {
          entries.add(entry(JSON.readTree(file.toFile())));
        } catch (IOException | RuntimeException e) {
          LOG.debug("skipping SQL job file {}: {}", file, e.toString());
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list the SQL jobs in {}: {}", folder, e.toString());
    }
    entries.sort(java.util.Comparator.comparing(Entry::started).thenComparing(Entry::session).thenComparing(Entry::id,
        java.util.Comparator.comparingInt(String::length).thenComparing(s -> s)));
    return entries;
  }

  private static Entry entry(JsonNode node) {
    return new Entry(text(node, "session"), text(node, "id"), text(node, "statement"), text(node, "runner"),
        Instant.parse(text(node, "started")), node.path("pid").asLong(),
        node.hasNonNull("processStart") ? Instant.parse(node.get("processStart").asText()) : null,
        text(node, "state"), node.hasNonNull("failure") ? node.get("failure").asText() : null,
        node.hasNonNull("recordsOut") ? node.get("recordsOut").asLong() : null,
        node.hasNonNull("flinkJobId") ? node.get("flinkJobId").asText() : null, Instant.parse(text(node, "updated")));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("no " + field);
    }
    return value.asText();
  }

  /** Whether the shell that recorded {@code entry} is still running (same process id and start). */
  public static boolean alive(Entry entry) {
    Optional<ProcessHandle> process = ProcessHandle.of(entry.pid());
    if (process.isEmpty() || !process.get().isAlive()) {
      return false;
    }
    Optional<Instant> start = process.get().info().startInstant();
    return entry.processStart() == null || start.isEmpty()
        || start.get().truncatedTo(ChronoUnit.MILLIS).equals(entry.processStart());
  }

  /** Whether the job runs on a Flink cluster (and so outlives its shell). */
  public static boolean onCluster(Entry entry) {
    return entry.runner().startsWith("flink ") && entry.flinkJobId() != null;
  }

  /**
   * The job's status now: as recorded while its shell runs; for a cluster job whose shell is gone,
   * the state the cluster reports (rows written are then unknown); for an in-process job whose shell
   * is gone, the final state recorded, or {@code UNKNOWN} with why.
   */
  public static ShellJobs.Status current(Entry entry) {
    String state = entry.state();
    String failure = entry.failure();
    Long recordsOut = entry.recordsOut();
    boolean finalState = state.equals("DONE") || state.equals("FAILED") || state.equals("CANCELLED");
    if (!alive(entry) && !finalState) {
      if (onCluster(entry)) {
        String master = entry.runner().substring("flink ".length());
        try {
          state = FlinkRest.state(master, entry.flinkJobId());
          failure = state.equals("FAILED") ? "the Flink job failed (see the Flink UI at " + master + ")" : null;
        } catch (java.sql.SQLException e) {
          state = "UNKNOWN";
          failure = e.getMessage();
        }
        recordsOut = null;
      } else {
        state = "UNKNOWN";
        failure = "the freshet sql process " + entry.pid() + " that ran it ended without recording how the job ended";
      }
    }
    return new ShellJobs.Status(entry.id(), entry.statement(), entry.runner(), state, failure, entry.started(),
        recordsOut, entry.flinkJobId());
  }

  private static String fileName(String session, String id) {
    return session + "-" + id + SUFFIX;
  }
}
