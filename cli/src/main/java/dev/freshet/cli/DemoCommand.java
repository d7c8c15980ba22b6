package dev.freshet.cli;

import dev.freshet.examples.clickstream.ClickEvent;
import dev.freshet.examples.clickstream.ClickEventGenerator;
import dev.freshet.examples.clickstream.TopPages;
import dev.freshet.sdk.stream.StreamClients;
import java.net.URI;
import java.util.UUID;
import dev.freshet.runners.Runners;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamSummary;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code freshet demo}: the main job. Synthetic click events go into the {@code clickstream} stream
 * of the embedded store for {@code --seconds} while a Beam pipeline reads them with {@code
 * StreamIO.read()}, counts views per page in 10-second event-time windows and prints each closed
 * window's top pages live. It ends by itself and prints a summary. The pipeline runs on the Direct
 * runner, or with {@code --runner flink} on Flink embedded in this process ({@code [local]}).
 */
@Command(
    name = "demo",
    description = {
      "Produce synthetic click events into the 'clickstream' stream (4 shards, created if missing) "
          + "while a Beam pipeline reads them, counts views per page in 10-second windows and prints "
          + "each closed window's top pages; ends by itself and prints a summary."
    },
    mixinStandardHelpOptions = true)
final class DemoCommand implements Callable<Integer> {
  static final String STREAM = "clickstream";
  static final int SHARDS = 4;
  private static final int WINDOW_SECONDS = 10;
  private static final int TOP = 5;
  /** How long after launching the pipeline production is planned to start. */
  private static final java.time.Duration STARTUP = java.time.Duration.ofSeconds(2);
  /** Between the planned end of production and the pipeline's stop time. */
  private static final java.time.Duration SLACK = java.time.Duration.ofSeconds(4);

  @Spec CommandSpec spec;

  /** Windows printed while producing. */
  private int printed;

  @Option(names = "--seconds", paramLabel = "S", defaultValue = "20", description = "How long to produce (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--rate",
      paramLabel = "N",
      defaultValue = "2000",
      description = "Click events per second, 0 for as fast as the store takes them "
          + "(default: ${DEFAULT-VALUE}, what the Direct runner follows live on a small machine; "
          + "the store itself takes far more).")
  int rate;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of the event generator (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--runner",
      paramLabel = "R",
      defaultValue = "direct",
      description = "Where the pipeline runs: direct (Beam's Direct runner) or flink (Flink embedded in "
          + "this process, [local]) (default: ${DEFAULT-VALUE}).")
  DemoRunner runner;

  /** The runners the demo offers; both run the pipeline in this JVM. */
  enum DemoRunner {
    DIRECT("the Direct runner"),
    FLINK("Flink (embedded, [local])");

    private final String title;

    DemoRunner(String title) {
      this.title = title;
    }

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    if (seconds < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--seconds must be at least 1, but was: " + seconds);
    }
    if (rate < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--rate must be 0 or more, but was: " + rate);
    }
    PrintWriter out = spec.commandLine().getOut();
    Freshet options = Freshet.root(spec);
    URI endpoint = StreamClients.endpointOf(options.dataDir);
    String listener = "demo-" + UUID.randomUUID();
    BlockingQueue<TopPages.WindowRanking> rankings = new LinkedBlockingQueue<>();
    TopPages.listen(listener, rankings::add);
    try (StreamClients.Lease lease = StreamClients.register(endpoint, options.openStore())) {
      StreamClient client = lease.client();
      ensureStream(client, out);
      // Production is planned to start shortly after the pipeline is launched and to end a fixed
      // time before the pipeline's stop time, so everything written is read; the slack absorbs a
      // slow pipeline start on a busy machine.
      Instant start = Instant.now().plus(STARTUP);
      Instant productionEnd = start.plusSeconds(seconds);
      org.joda.time.Instant stopReadingAt = new org.joda.time.Instant(productionEnd.plus(SLACK).toEpochMilli());
      Pipeline pipeline = Pipeline.create(pipelineOptions(runner, endpoint));
      TopPages.apply(pipeline, new TopPages.Settings(endpoint, STREAM, StartingPosition.atTimestamp(start),
          org.joda.time.Duration.standardSeconds(WINDOW_SECONDS), TOP, stopReadingAt), listener);
      CompletableFuture<PipelineResult> running = launch(pipeline);
      out.printf("pipeline running on %s: views per page in %d-second event-time windows, "
          + "the top %d printed as each window closes%n", runner.title, WINDOW_SECONDS, TOP);
      out.flush();

      BatchWriter writer = new BatchWriter(client, STREAM);
      awaitStart(start);
      double writeSeconds = produce(writer, productionEnd, rankings, out);
      out.printf("wrote %s click events (%s) in %.1f s: %s records/s, %s%n",
          Figures.count(writer.records()), Figures.bytes(writer.bytes()), writeSeconds,
          Figures.perSecond(writer.records(), writeSeconds),
          Figures.megabytesPerSecond(writer.bytes(), writeSeconds));
      out.println("written per shard:");
      writer.shards().forEach((shard, stats) ->
          out.printf("  %-22s %12s%n", shard, Figures.count(stats.records)));
      out.flush();

      // The pipeline finishes once it has read every event; its last windows then close.
      int windows = printed + awaitPipeline(running, rankings, out);
      long read = viewsRead(pipelineResult(running));
      double pipelineSeconds = (System.currentTimeMillis() - start.toEpochMilli()) / 1000.0;
      out.printf("pipeline read %s of %s click events and closed %d windows in %.1f s (%s records/s)%n",
          Figures.count(read), Figures.count(writer.records()), windows, pipelineSeconds,
          Figures.perSecond(read, pipelineSeconds));
      if (read != writer.records()) {
        throw new CliException(String.format("the pipeline read %d click events but %d were written",
            read, writer.records()));
      }
    } finally {
      TopPages.unlisten(listener);
    }
    awaitStoreReleased(endpoint);
    out.printf("data folder: %s%n", options.dataDir.toAbsolutePath().normalize());
    out.flush();
    return 0;
  }

  /**
   * Waits, at most 10 s, until the pipeline's readers have closed their leases on the store, so that
   * the store is closed and its data folder free when the demo returns: a runner may report the
   * pipeline done a moment before it closes the last reader, and a second demo in the same JVM (as
   * in the tests) would then find the folder in use.
   */
  private static void awaitStoreReleased(URI endpoint) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (StreamClients.isOpen(endpoint) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  /** Waits for the planned start of production (it starts at once if the pipeline took longer). */
  private static void awaitStart(Instant start) throws InterruptedException {
    long millis = java.time.Duration.between(Instant.now(), start).toMillis();
    if (millis > 0) {
      Thread.sleep(millis);
    }
  }

  private static PipelineOptions pipelineOptions(DemoRunner runner, URI endpoint) {
    if (runner == DemoRunner.FLINK) {
      // Streaming: the read is unbounded until its stop time, and windows are to print as they
      // close. Without checkpointing, the sources shut down once read, so the job ends by itself.
      // The demo's elements are immutable, so Flink need not copy them between chained steps.
      return Runners.forExamples("--runner=flink", "--flinkMaster=[local]", "--streaming=true",
          "--parallelism=" + Math.max(2, Runtime.getRuntime().availableProcessors()),
          "--fasterCopy=true", "--autoWatermarkInterval=200", "--endpoint=" + endpoint);
    }
    DirectOptions options = PipelineOptionsFactory.as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    options.setBlockOnRun(false);
    // The demo's elements are immutable values; skipping the Direct runner's defensive checks
    // keeps it fast enough to follow tens of thousands of events per second.
    options.setEnforceImmutability(false);
    options.setEnforceEncodability(false);
    options.setTargetParallelism(Math.max(2, Runtime.getRuntime().availableProcessors()));
    return options;
  }

  /**
   * Starts the pipeline. The Direct runner returns at once ({@code blockOnRun=false}); Flink in
   * this JVM runs the job inside {@code run()}, so it is called on its own thread.
   */
  private static CompletableFuture<PipelineResult> launch(Pipeline pipeline) {
    if (!pipeline.getOptions().getRunner().equals(DirectRunner.class)) {
      CompletableFuture<PipelineResult> future = new CompletableFuture<>();
      Thread thread = new Thread(() -> {
        try {
          future.complete(pipeline.run());
        } catch (RuntimeException | Error e) {
          future.completeExceptionally(e);
        }
      }, "demo-pipeline");
      thread.setDaemon(true);
      thread.start();
      return future;
    }
    return CompletableFuture.completedFuture(pipeline.run());
  }

  /** Prints rankings as they come until the pipeline ends; returns how many windows closed. */
  private static int awaitPipeline(CompletableFuture<PipelineResult> running,
      BlockingQueue<TopPages.WindowRanking> rankings, PrintWriter out) throws InterruptedException {
    int windows = 0;
    while (true) {
      PipelineResult.State state = null;
      if (running.isDone()) {
        PipelineResult result = pipelineResult(running);
        state = result.waitUntilFinish(org.joda.time.Duration.millis(200));
      } else {
        Thread.sleep(200);
      }
      windows += printRankings(rankings, out);
      if (state != null && state.isTerminal()) {
        windows += printRankings(rankings, out);
        if (state != PipelineResult.State.DONE) {
          throw new CliException("the pipeline ended " + state);
        }
        return windows;
      }
    }
  }

  /** The launched pipeline's result; a pipeline that failed to run fails the demo. */
  private static PipelineResult pipelineResult(CompletableFuture<PipelineResult> running) {
    try {
      return running.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw new CliException("the pipeline failed: " + e.getCause().getMessage(), e.getCause());
    }
  }

  private static int printRankings(BlockingQueue<TopPages.WindowRanking> rankings, PrintWriter out) {
    int printed = 0;
    TopPages.WindowRanking ranking;
    while ((ranking = rankings.poll()) != null) {
      out.println("\r" + ranking.format());
      printed++;
    }
    out.flush();
    return printed;
  }

  private static long viewsRead(PipelineResult result) {
    MetricQueryResults metrics = result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named("clickstream", "views")).build());
    long views = 0;
    for (MetricResult<Long> counter : metrics.getCounters()) {
      views += counter.getAttempted();
    }
    return views;
  }

  private static void ensureStream(StreamClient client, PrintWriter out) {
    try {
      client.describeStreamSummary(STREAM);
    } catch (ResourceNotFoundException missing) {
      client.createStream(CreateStreamRequest.provisioned(STREAM, SHARDS));
      out.printf("created stream %s with %d shards%n", STREAM, SHARDS);
    }
    StreamsCommand.awaitActive(client, STREAM);
    StreamSummary summary = client.describeStreamSummary(STREAM);
    out.printf("producing click events into %s (%d open shards) ...%n", STREAM, summary.openShardCount());
    out.flush();
  }

  /** Writes events for {@link #seconds}, paced to {@link #rate}; returns the seconds it took. */
  private double produce(BatchWriter writer, Instant end, BlockingQueue<TopPages.WindowRanking> rankings,
      PrintWriter out) throws InterruptedException {
    ClickEventGenerator clicks = ClickEventGenerator.create(seed);
    long started = System.nanoTime();
    long deadline = started + Math.max(0, java.time.Duration.between(Instant.now(), end).toNanos());
    long produced = 0;
    ProgressBarBuilder barBuilder = new ProgressBarBuilder()
        .setTaskName("producing")
        .setInitialMax(seconds)
        .setUnit(" s", 1)
        .setStyle(ProgressBarStyle.ASCII)
        .hideEta();
    if (System.console() == null) {
      // Not a terminal (CI logs, a pipe): one line per update instead of carriage-return redraws
      // that run together into one long line.
      barBuilder.setConsumer(new DelegatingProgressBarConsumer(System.err::println));
    }
    try (ProgressBar bar = barBuilder.build()) {
      long now;
      while ((now = System.nanoTime()) < deadline) {
        if (rate > 0 && produced >= rate * ((now - started) / 1e9)) {
          Thread.sleep(1);
        } else {
          Instant timestamp = Instant.now();
          for (int i = 0; i < BatchWriter.MAX_RECORDS && (rate == 0 || i < Math.max(1, rate / 100)); i++) {
            ClickEvent event = clicks.next(timestamp);
            writer.add(PutRecordsEntry.of(event.partitionKey(), event.toJsonBytes()));
            produced++;
          }
        }
        if (!rankings.isEmpty()) {
          printed += printRankings(rankings, out);
        }
        bar.stepTo(Math.min(seconds, (now - started) / 1_000_000_000L));
        bar.setExtraMessage(Figures.count(produced) + " events");
      }
      writer.flush();
      bar.stepTo(seconds);
      bar.setExtraMessage(Figures.count(produced) + " events");
    }
    return (System.nanoTime() - started) / 1e9;
  }
}
