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
 * The shell's background jobs: each {@code INSERT INTO ... SELECT} over a followed (unbounded) table
 * runs as a pipeline of its own on the chosen runner, listed by {@code SHOW JOBS} and cancelled by
 * {@code STOP JOB id}. Jobs on the Direct runner (and Flink in this process) end with the shell; a
 * job submitted to a Flink cluster keeps running there, under its Flink job id.
 */
final class ShellJobs implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShellJobs.class);
  private static final String METRICS_NAMESPACE = "freshet.sql.shell";
  private static final String RECORDS_OUT = "recordsOut";

  /** How long {@code STOP JOB} waits for a job to reach a final state. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final java.util.regex.Pattern FLINK_JOB_ID = java.util.regex.Pattern.compile("[0-9a-f]{32}");

  /** A started job. {@code flinkJobId} is the id Flink gave it, if it runs on Flink. */
  record Job(String id, String statement, String runner, Instant started, PipelineResult result,
      @Nullable String flinkJobId, AtomicBoolean stopped) {}

  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private final AtomicInteger next = new AtomicInteger(1);

  /**
   * Starts {@code insert} (a planned {@code INSERT INTO}) on the runner of {@code options}, which
   * returns once it is submitted, and returns the job.
   */
  synchronized Job start(String statement, BeamRelNode insert, PipelineOptions options, String runner) {
    String id = "job-" + next.getAndIncrement();
    options.setJobName("freshet-sql-" + id + "-" + System.currentTimeMillis());
    Pipeline pipeline = Pipeline.create(options);
    // BeamIOSinkRel passes on the rows it writes; counting them gives "records out".
    BeamSqlRelUtils.toPCollection(pipeline, insert).apply("CountRecordsOut", ParDo.of(new CountRows()));
    PipelineResult result = pipeline.run();
    String flinkJobId = flinkJobId(result);
    Job job = new Job(id, oneLine(statement), runner, Instant.now().truncatedTo(ChronoUnit.SECONDS), result, flinkJobId,
        new AtomicBoolean());
    jobs.put(id, job);
    LOG.info("started {} on {}{}: {}", id, runner, flinkJobId == null ? "" : " as Flink job " + flinkJobId, job.statement());
    return job;
  }

  /** The jobs started in this shell, oldest first: id, statement, runner, state, started, records out, Flink job. */
  synchronized List<List<String>> rows() {
    List<List<String>> rows = new ArrayList<>();
    for (Job job : jobs.values()) {
      rows.add(List.of(job.id(), job.statement(), job.runner(), state(job).toString(), job.started().toString(),
          recordsOut(job), job.flinkJobId() == null ? "" : job.flinkJobId()));
    }
    return rows;
  }

  static final List<String> COLUMNS =
      List.of("id", "statement", "runner", "state", "started", "records_out", "flink_job_id");

  /**
   * Cancels job {@code id} (a job of this shell, by its shell or Flink job id; or, with {@code
   * flinkMaster} set, any job of that Flink cluster by its Flink job id) and returns its state after
   * that.
   */
  synchronized String stop(String id, @Nullable String flinkMaster) throws SQLException {
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

  /** The rows the job wrote so far, when its runner reports metrics while it runs; else empty. */
  private static String recordsOut(Job job) {
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
      return found ? Long.toString(total) : "";
    } catch (RuntimeException e) {
      return "";
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
