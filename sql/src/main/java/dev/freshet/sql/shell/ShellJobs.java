package dev.freshet.sql.shell;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamRelNode;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamSqlRelUtils;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.Row;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background SQL jobs: each {@code INSERT INTO ... SELECT} runs as a pipeline of its own on the
 * chosen runner, listed by {@link #statuses()} (the shell's {@code SHOW JOBS}) and cancelled by
 * {@link #stop} (the shell's {@code STOP JOB id}). Jobs on the Direct runner (and Flink in this
 * process) end with their owner ({@link #close}); a job submitted to a Flink cluster keeps running
 * there, under its Flink job id.
 *
 * <p>Used by the shell ({@code ShellSession}) and by {@link dev.freshet.sql.workspace.SqlWorkspace}
 * (the server's console). Each started pipeline counts the rows that reach its sink in the Beam
 * counter {@value #METRICS_NAMESPACE}/{@value #RECORDS_OUT}, read back while it runs where the runner
 * reports metrics then (the Direct runner does).
 */
public final class ShellJobs implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShellJobs.class);
  /** The namespace of the counter of rows written. */
  public static final String METRICS_NAMESPACE = "freshet.sql.shell";
  /** The name of the counter of rows written (rows that reached the {@code INSERT}'s sink). */
  public static final String RECORDS_OUT = "recordsOut";

  /** How long {@code STOP JOB} waits for a job to reach a final state. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final java.util.regex.Pattern FLINK_JOB_ID = java.util.regex.Pattern.compile("[0-9a-f]{32}");

  /** A started job. {@code flinkJobId} is the id Flink gave it, if it runs on Flink. */
  record Job(String id, String statement, String runner, Instant started, PipelineResult result,
      @Nullable String flinkJobId, AtomicBoolean stopped, AtomicReference<String> failure) {}

  /**
   * What is known of a job now.
   *
   * @param id the job's id in its owner ({@code job-1}, ...)
   * @param statement the {@code INSERT} statement, on one line
   * @param runner {@code direct}, {@code flink} (in this process) or {@code flink host:port}
   * @param state Beam's state of the pipeline: {@code RUNNING}, {@code DONE}, {@code FAILED},
   *     {@code CANCELLED} (or {@code UNKNOWN} when the runner cannot say)
   * @param failure why a {@code FAILED} job failed, on one line; null otherwise
   * @param started when it was started, to the second
   * @param recordsOut rows written so far; null when the runner does not report it while the job runs
   * @param flinkJobId the id Flink gave it; null on the Direct runner
   */
  public record Status(String id, String statement, String runner, String state, @Nullable String failure,
      Instant started, @Nullable Long recordsOut, @Nullable String flinkJobId) {}

  private final @Nullable JobJournal journal;
  private final java.util.Set<String> journalled = new java.util.HashSet<>();
  private java.util.concurrent.@Nullable ScheduledExecutorService journalWriter;

  /** No jobs yet; nothing recorded for other processes. */
  public ShellJobs() {
    this.journal = null;
  }

  /**
   * No jobs yet; jobs started here are recorded in {@code journalFolder} ({@link JobJournal}) once a
   * second while they run, so that other processes (the server's console) can list them.
   */
  public ShellJobs(java.nio.file.Path journalFolder) {
    this.journal = JobJournal.open(journalFolder);
  }

  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private final AtomicInteger next = new AtomicInteger(1);

  /**
   * Starts {@code insert} (a planned {@code INSERT INTO}) on the runner of {@code options}, which
   * returns once it is submitted, and returns the job.
   */
  synchronized Job start(String statement, BeamRelNode insert, PipelineOptions options, String runner) {
    return startJob(statement, insert, options, runner);
  }

  /**
   * Starts {@code insert} (a planned {@code INSERT INTO}, {@code statement} being its text) on the
   * runner of {@code options}, which must return once the pipeline is submitted (the Direct runner's
   * {@code blockOnRun=false}, Flink's detached mode), and returns the job's id. {@code runner} names
   * the runner in listings ({@code direct}, {@code flink}, {@code flink host:port}).
   */
  public synchronized String submit(String statement, BeamRelNode insert, PipelineOptions options, String runner) {
    return startJob(statement, insert, options, runner).id();
  }

  private Job startJob(String statement, BeamRelNode insert, PipelineOptions options, String runner) {
    String id = "job-" + next.getAndIncrement();
    options.setJobName("freshet-sql-" + id + "-" + System.currentTimeMillis());
    Pipeline pipeline = Pipeline.create(options);
    // BeamIOSinkRel passes on the rows it writes; counting them gives "records out".
    BeamSqlRelUtils.toPCollection(pipeline, insert).apply("CountRecordsOut", ParDo.of(new CountRows()));
    PipelineResult result = pipeline.run();
    String flinkJobId = flinkJobId(result);
    Job job = new Job(id, oneLine(statement), runner, Instant.now().truncatedTo(ChronoUnit.SECONDS), result, flinkJobId,
        new AtomicBoolean(), new AtomicReference<>());
    jobs.put(id, job);
    if (journal != null) {
      journal.write(status(job));
      if (journalWriter == null) {
        journalWriter = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
          Thread thread = new Thread(r, "freshet-sql-job-journal");
          thread.setDaemon(true);
          return thread;
        });
        journalWriter.scheduleWithFixedDelay(this::writeJournal, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
    LOG.info("started {} on {}{}: {}", id, runner, flinkJobId == null ? "" : " as Flink job " + flinkJobId, job.statement());
    return job;
  }

  /** The jobs started in this shell, oldest first: id, statement, runner, state, started, records out, Flink job. */
  synchronized List<List<String>> rows() {
    List<List<String>> rows = new ArrayList<>();
    for (Status job : statuses()) {
      rows.add(List.of(job.id(), job.statement(), job.runner(), job.state(), job.started().toString(),
          job.recordsOut() == null ? "" : job.recordsOut().toString(), job.flinkJobId() == null ? "" : job.flinkJobId()));
    }
    return rows;
  }

  /** Every job started here, oldest first, as it is now. */
  public synchronized List<Status> statuses() {
    List<Status> statuses = new ArrayList<>();
    for (Job job : jobs.values()) {
      statuses.add(status(job));
    }
    return statuses;
  }

  private static Status status(Job job) {
    PipelineResult.State state = state(job);
    return new Status(job.id(), job.statement(), job.runner(), state.toString(),
        state == PipelineResult.State.FAILED ? failure(job) : null, job.started(), recordsOut(job), job.flinkJobId());
  }

  /** Records every job that has not been recorded in a final state yet (the journal writer's round). */
  private void writeJournal() {
    if (journal == null) {
      return;
    }
    try {
      List<Status> statuses;
      synchronized (this) {
        statuses = statuses().stream().filter(s -> !journalled.contains(s.id())).toList();
      }
      for (Status status : statuses) {
        journal.write(status);
        if (status.state().equals("DONE") || status.state().equals("FAILED") || status.state().equals("CANCELLED")) {
          synchronized (this) {
            journalled.add(status.id());
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("cannot record the SQL jobs", e);
    }
  }

  /** Job {@code id}'s status, or null when there is no such job here. */
  public synchronized @Nullable Status status(String id) {
    return statuses().stream().filter(s -> s.id().equals(id)).findFirst().orElse(null);
  }

  static final List<String> COLUMNS =
      List.of("id", "statement", "runner", "state", "started", "records_out", "flink_job_id");

  /**
   * Cancels job {@code id} (a job of this shell, by its shell or Flink job id; or, with {@code
   * flinkMaster} set, any job of that Flink cluster by its Flink job id) and returns its state after
   * that.
   */
  public synchronized String stop(String id, @Nullable String flinkMaster) throws SQLException {
    Job job = jobs.get(id);
    if (job == null) {
      job = jobs.values().stream().filter(j -> id.equals(j.flinkJobId())).findFirst().orElse(null);
    }
    if (job == null) {
      if (flinkMaster != null && FLINK_JOB_ID.matcher(id).matches()) {
        return FlinkRest.cancel(flinkMaster, id, STOP_TIMEOUT);
      }
      throw new SQLException("no job " + id + "; the jobs are: " + jobs.keySet()
          + (flinkMaster == null ? "" : ", or a Flink job id of " + flinkMaster));
    }
    return stop(job).toString();
  }

  private PipelineResult.State stop(Job job) throws SQLException {
    PipelineResult.State state = cancelAndWait(job);
    if (journal != null) {
      journal.write(status(job));
    }
    return state;
  }

  private PipelineResult.State cancelAndWait(Job job) throws SQLException {
    String id = job.id();
    PipelineResult.State state = state(job);
    if (state.isTerminal()) {
      return state;
    }
    try {
      job.stopped().set(true);
      job.result().cancel();
    } catch (IOException | RuntimeException e) {
      throw new SQLException("cannot stop " + id + ": " + ShellErrors.message(e), e);
    }
    // Flink reports a job being cancelled as RUNNING: wait for the final state.
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    while (!(state = state(job)).isTerminal() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return state;
  }

  private static PipelineResult.State state(Job job) {
    try {
      PipelineResult.State state = job.result().getState();
      return state == null ? PipelineResult.State.UNKNOWN : state;
    } catch (RuntimeException e) {
      // Flink in this process shuts its mini cluster down with a cancelled job, and cannot say more.
      return job.stopped().get() ? PipelineResult.State.CANCELLED : PipelineResult.State.UNKNOWN;
    }
  }

  /**
   * The id Flink gave a job submitted detached: Beam's result keeps Flink's {@code JobClient} but
   * does not expose it, so it is read reflectively; null on other runners.
   */
  private static @Nullable String flinkJobId(PipelineResult result) {
    if (!result.getClass().getName().equals("org.apache.beam.runners.flink.FlinkDetachedRunnerResult")) {
      return null;
    }
    try {
      Field field = result.getClass().getDeclaredField("jobClient");
      field.setAccessible(true);
      Object client = field.get(result);
      Method jobId = Class.forName("org.apache.flink.core.execution.JobClient", false, result.getClass().getClassLoader())
          .getMethod("getJobID");
      return String.valueOf(jobId.invoke(client));
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("cannot read the Flink job id of {}: {}", result, e.toString());
      return null;
    }
  }

  /**
   * Why a failed job failed, on one line: the runner's error, as {@code waitUntilFinish} reports it
   * (asked once, with a short wait, and remembered).
   */
  private static String failure(Job job) {
    String known = job.failure().get();
    if (known != null) {
      return known;
    }
    String message;
    try {
      job.result().waitUntilFinish(org.joda.time.Duration.millis(10));
      message = "failed (the runner gave no reason)";
    } catch (RuntimeException e) {
      message = ShellErrors.message(e);
    }
    job.failure().compareAndSet(null, message);
    return job.failure().get();
  }

  /** The rows the job wrote so far, when its runner reports metrics while it runs; else null. */
  private static @Nullable Long recordsOut(Job job) {
    try {
      long total = 0;
      boolean found = false;
      for (MetricResult<Long> counter : job.result().metrics().queryMetrics(MetricsFilter.builder()
          .addNameFilter(MetricNameFilter.named(METRICS_NAMESPACE, RECORDS_OUT)).build()).getCounters()) {
        Long committed = null;
        try {
          committed = counter.getCommitted();
        } catch (UnsupportedOperationException e) {
          // only attempted values on this runner
        }
        total += committed != null ? committed : counter.getAttempted();
        found = true;
      }
      return found ? total : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Whether the job runs in this process: the Direct runner, or Flink without a cluster address. */
  private static boolean inProcess(Job job) {
    return !job.runner().startsWith("flink ");
  }

  private static String oneLine(String statement) {
    return statement.strip().replaceAll("\\s+", " ");
  }

  /** Cancels the jobs that run in this process; jobs on a Flink cluster keep running. */
  @Override
  public synchronized void close() {
    if (journalWriter != null) {
      journalWriter.shutdownNow();
    }
    for (Job job : jobs.values()) {
      if (inProcess(job) && !state(job).isTerminal()) {
        job.stopped().set(true);
        try {
          job.result().cancel();
        } catch (IOException | RuntimeException e) {
          LOG.warn("cannot cancel {}: {}", job.id(), e.toString());
        }
      }
    }
    if (journal != null) {
      for (Job job : jobs.values()) {
        Status status = status(job);
        if (inProcess(job) && status.state().equals("RUNNING")) {
          // Cancelled just now; the runner may not say so yet, and the job ends with this process.
          status = new Status(status.id(), status.statement(), status.runner(), "CANCELLED", null, status.started(),
              status.recordsOut(), status.flinkJobId());
        }
        journal.write(status);
      }
    }
  }

  /** Counts the rows an INSERT writes. */
  private static final class CountRows extends DoFn<Row, Void> {
    private final org.apache.beam.sdk.metrics.Counter written = Metrics.counter(METRICS_NAMESPACE, RECORDS_OUT);

    @ProcessElement
    public void processElement() {
      written.inc();
    }
  }
}
