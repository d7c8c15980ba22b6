package dev.freshet.cli;

import dev.freshet.examples.clickstream.ClickEvent;
import dev.freshet.examples.clickstream.ClickEventGenerator;
import dev.freshet.examples.clickstream.TopPages;
import dev.freshet.kinesis.firehose.FirehoseService;
import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.transforms.firehose.DeliveredObject;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * {@code freshet demo}: the whole story in one command. Synthetic click events go into the {@code
 * clickstream} stream of the embedded store for {@code --seconds} while one pipeline ({@link
 * DemoPipeline}) reads them back and
 *
 * <ul>
 *   <li>computes each 10-second event-time window's top pages with SQL (Beam SQL with Freshet's
 *       Top-N per window, {@code ROW_NUMBER() OVER (PARTITION BY window_start ...)}), printed live
 *       as each window closes;
 *   <li>delivers every click with Firehose ({@code FirehoseDelivery}, as the examples' {@code
 *       ClickArchive}) as GZIP JSON-lines objects, one prefix per hour, into the folder of bucket
 *       {@value #BUCKET} of the data folder's S3 API ({@code <data-dir>/s3/freshet-demo/clicks/yyyy/MM/dd/HH/}).
 * </ul>
 *
 * <p>It ends by itself and prints a summary: what was written, read and delivered, with every
 * object's path, records and bytes; it fails if the pipeline read, or the objects hold, other than
 * the number of events written. The pipeline runs on the Direct runner, or with {@code --runner
 * flink} on Flink embedded in this process ({@code [local]}). With {@code --server [PORT]}, {@code
 * freshet server} runs in this process too, on the same store, and its endpoints and console URL
 * are printed first.
 */
@Command(
    name = "demo",
    description = {
      "Produce synthetic click events into the 'clickstream' stream (4 shards, created if missing) "
          + "while one pipeline reads them, computes each 10-second window's top pages with SQL "
          + "(printed as each window closes) and delivers every click with Firehose as GZIP JSON "
          + "objects by hour under <data-dir>/s3/" + DemoCommand.BUCKET + "; ends by itself and "
          + "prints a summary naming the objects."
    },
    mixinStandardHelpOptions = true)
final class DemoCommand implements Callable<Integer> {
  static final String STREAM = "clickstream";
  static final int SHARDS = 4;
  private static final int WINDOW_SECONDS = 10;
  private static final int TOP = 5;
  /** The bucket (a folder of {@code <data-dir>/s3}, served by {@code freshet server}'s S3 API). */
  static final String BUCKET = "freshet-demo";
  /** The archive puts an object at least this often, so objects appear while the demo runs. */
  private static final int BUFFER_SECONDS = 10;
  /** How long after the pipeline's launch begins production starts (it does not wait for it). */
  private static final java.time.Duration STARTUP = java.time.Duration.ofMillis(500);
  /** Between the planned end of production and the pipeline's stop time. */
  private static final java.time.Duration SLACK = java.time.Duration.ofSeconds(4);

  @Spec CommandSpec spec;

  /** Windows printed while producing. */
  private int printed;

  /** Objects the archive put, in the order they came. */
  private final java.util.Queue<DeliveredObject> objects = new java.util.concurrent.ConcurrentLinkedQueue<>();

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

  @Option(
      names = "--server",
      paramLabel = "PORT",
      arity = "0..1",
      fallbackValue = "4567",
      description = "Also run freshet server in this process on the same data folder (the Kinesis, "
          + "Firehose and Video APIs on PORT, default 4567 (0 for a free one), the S3 API of the "
          + "deliveries on PORT + 1, the console at http://localhost:PORT/console/) while the demo "
          + "runs. Default: no server.")
  Integer serverPort;

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
    if (serverPort != null && (serverPort < 0 || serverPort > 65534)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--server PORT must be between 0 and 65534, but was: " + serverPort);
    }
    PrintWriter out = spec.commandLine().getOut();
    Freshet options = Freshet.root(spec);
    Path dataDir = options.dataDir.toAbsolutePath().normalize();
    Path archive = dataDir.resolve("s3").resolve(BUCKET);
    URI endpoint = StreamClients.endpointOf(options.dataDir);
    String listener = "demo-" + UUID.randomUUID();
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    DemoPipeline.listen(listener, new DemoPipeline.Listener() {
      @Override
      public void window(TopPages.WindowRanking ranking) {
        events.add(ranking);
      }

      @Override
      public void object(DeliveredObject object) {
        markForS3Api(archive.resolve(object.key()), spec.commandLine().getErr());
        objects.add(object);
        events.add(object);
      }
    });
    StoreConfig storeConfig = options.storeConfig().build();
    LocalStreamStore store = LocalStreamStore.open(storeConfig);
    StreamClients.Lease registered;
    try {
      registered = StreamClients.register(endpoint, store);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    long expected;
    try (StreamClients.Lease lease = registered;
        ServerLifetime server = new ServerLifetime(serverPort == null ? null : startServer(store, storeConfig, out), out)) {
      StreamClient client = lease.client();
      ensureStream(client, out);
      // Production starts at once, while the pipeline is built (planning its SQL takes seconds)
      // and launched on another thread; the pipeline reads from the start of production, so it
      // catches up on whatever arrived meanwhile. It reads until a fixed time after production
      // ends (by arrival time, so a late start still reads everything), then finishes by itself.
      PipelineOptions pipelineOptions = pipelineOptions(runner, endpoint); // seconds, the first time
      Instant start = Instant.now().plus(STARTUP);
      Instant productionEnd = start.plusSeconds(seconds);
      org.joda.time.Instant stopReadingAt = new org.joda.time.Instant(productionEnd.plus(SLACK).toEpochMilli());
      DemoPipeline.Settings settings = new DemoPipeline.Settings(endpoint, STREAM,
          StartingPosition.atTimestamp(start), stopReadingAt, WINDOW_SECONDS, TOP, archive, BUFFER_SECONDS);
      CompletableFuture<PipelineResult> running = launch(() -> {
        Pipeline pipeline = Pipeline.create(pipelineOptions);
        DemoPipeline.apply(pipeline, settings, listener);
        return pipeline;
      });
      out.printf("pipeline starting on %s: the top %d pages of each %d-second event-time window by SQL "
          + "(printed as each window closes), every click delivered by Firehose as GZIP JSON to %s%n",
          runner.title, TOP, WINDOW_SECONDS, archive);
      out.flush();

      BatchWriter writer = new BatchWriter(client, STREAM);
      awaitStart(start);
      // A late start (a busy machine) still produces for --seconds, up to a second before the stop.
      double writeSeconds = produce(writer, productionEnd.plus(SLACK).minusSeconds(1), events, running, out);
      out.printf("wrote %s click events (%s) in %.1f s: %s records/s, %s%n",
          Figures.count(writer.records()), Figures.bytes(writer.bytes()), writeSeconds,
          Figures.perSecond(writer.records(), writeSeconds),
          Figures.megabytesPerSecond(writer.bytes(), writeSeconds));
      out.println("written per shard:");
      writer.shards().forEach((shard, stats) ->
          out.printf("  %-22s %12s%n", shard, Figures.count(stats.records)));
      // The pipeline reads what arrived up to its stop time. On a machine too busy to write for
      // seconds, the last batches can arrive after it: they stay in the stream, unread, and are
      // left out of the counts the pipeline and the objects are checked against.
      long late = arrivedAfter(client, writer.shards().keySet(), stopReadingAt.getMillis());
      if (late > 0) {
        out.printf("%s click events were stored after the pipeline's stop time (%s, the machine was busy); "
            + "they stay in %s, outside the windows and the objects%n",
            Figures.count(late), Instant.ofEpochMilli(stopReadingAt.getMillis()), STREAM);
      }
      expected = writer.records() - late;
      out.flush();

      // The pipeline finishes once it has read every event; its last windows then close and the
      // archive puts what it still holds.
      int windows = printed + awaitPipeline(running, events, out);
      long read = viewsRead(pipelineResult(running));
      double pipelineSeconds = (System.currentTimeMillis() - start.toEpochMilli()) / 1000.0;
      out.printf("pipeline read %s of %s click events and closed %d windows in %.1f s (%s records/s)%n",
          Figures.count(read), Figures.count(expected), windows, pipelineSeconds,
          Figures.perSecond(read, pipelineSeconds));
      if (read != expected) {
        throw new CliException(String.format("the pipeline read %d click events but %d were written before its stop time",
            read, expected));
      }
    } finally {
      DemoPipeline.unlisten(listener);
    }
    awaitStoreReleased(endpoint);
    summarizeArchive(archive, expected, out);
    out.printf("data folder: %s%n", dataDir);
    if (serverPort != null) {
      out.printf("to browse it again: ./freshet server --data-dir %s%n", dataDir);
    }
    out.flush();
    return 0;
  }

  /** The in-process server, if any: closed before the store (try-with-resources closes it first). */
  private record ServerLifetime(KinesisServer server, PrintWriter out) implements AutoCloseable {
    @Override
    public void close() {
      if (server != null) {
        server.close();
        out.println("freshet server stopped");
        out.flush();
      }
    }
  }

  /**
   * Starts {@code freshet server} on the demo's store, as {@link ServerCommand} does (the Firehose,
   * Video and S3 APIs included), and prints where it listens.
   */
  private KinesisServer startServer(LocalStreamStore store, StoreConfig storeConfig, PrintWriter out) {
    ServerCommand command = new ServerCommand();
    command.spec = spec;
    command.host = "127.0.0.1";
    command.port = serverPort;
    FirehoseService firehose = command.openFirehose(store, storeConfig);
    KinesisServer server;
    try {
      server = command.start(command.serverConfig(), store, firehose);
    } catch (RuntimeException e) {
      try {
        firehose.close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    int port = server.endpoint().getPort();
    out.printf("freshet server listening on %s (Kinesis, Firehose and Kinesis Video APIs)%n", server.endpoint());
    firehose.s3Endpoint().ifPresent(s3 -> out.printf("S3 API of the deliveries on %s (bucket %s)%n", s3, BUCKET));
    out.printf("console: http://localhost:%d/console/%n", port);
    out.flush();
    return server;
  }

  /**
   * Lists the objects the archive put (path, records, bytes) and checks them: each is a GZIP file
   * under an hourly prefix, and together they hold exactly the events written.
   */
  private void summarizeArchive(Path archive, long written, PrintWriter out) {
    List<DeliveredObject> delivered = new ArrayList<>(objects);
    delivered.sort(java.util.Comparator.comparing(DeliveredObject::key));
    long records = 0;
    long bytes = 0;
    List<String> lines = new ArrayList<>();
    for (DeliveredObject object : delivered) {
      Path file = archive.resolve(object.key());
      if (object.errorOutput()) {
        throw new CliException("Firehose delivered error records to " + file + ": the clicks were not all archived");
      }
      if (!HOURLY.matcher(object.key()).matches()) {
        throw new CliException("Firehose put " + file + ", outside the hourly prefixes clicks/yyyy/MM/dd/HH/");
      }
      long lineCount = countLines(file);
      if (lineCount != object.recordCount()) {
        throw new CliException(String.format("%s holds %d records, but Firehose reported %d", file, lineCount,
            object.recordCount()));
      }
      long size = size(file);
      records += lineCount;
      bytes += size;
      lines.add(String.format("  %s  %12s records  %10s", file, Figures.count(lineCount), Figures.bytes(size)));
    }
    out.printf("Firehose delivered %s click events in %d GZIP JSON objects (%s) by hour under %s:%n",
        Figures.count(records), delivered.size(), Figures.bytes(bytes), archive);
    lines.forEach(out::println);
    out.flush();
    if (records != written) {
      throw new CliException(String.format("the Firehose objects hold %d click events but %d were written",
          records, written));
    }
  }

  /** Whether the warning that the S3 API cannot list the objects was printed. */
  private final java.util.concurrent.atomic.AtomicBoolean s3Warned = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Lets {@code freshet server}'s S3 API list a delivered file. Its store (s3proxy's filesystem
   * store, 2.6.0) keeps each object's MD5 in the extended attribute {@code user.content-md5} and
   * fails to list a bucket holding a file without it, as {@code FirehoseDelivery}'s local files are;
   * so the demo adds it. A file system without user extended attributes only costs the listing,
   * with one warning.
   */
  private void markForS3Api(Path file, PrintWriter err) {
    try {
      java.nio.file.attribute.UserDefinedFileAttributeView view = java.nio.file.Files.getFileAttributeView(
          file, java.nio.file.attribute.UserDefinedFileAttributeView.class);
      if (view == null) {
        throw new java.io.IOException("no user extended attributes on this file system");
      }
      java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
      try (java.io.InputStream in = new java.security.DigestInputStream(java.nio.file.Files.newInputStream(file), md5)) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
      view.write("user.content-md5", java.nio.ByteBuffer.wrap(md5.digest()));
    } catch (java.io.IOException | java.security.NoSuchAlgorithmException | UnsupportedOperationException e) {
      if (s3Warned.compareAndSet(false, true)) {
        err.printf("warning: freshet server's S3 API will not list %s: cannot mark %s (%s)%n",
            file.getParent(), file.getFileName(), e.getMessage());
        err.flush();
      }
    }
  }

  /** An object's key: the archive's hourly prefix, then the service's object name. */
  private static final java.util.regex.Pattern HOURLY =
      java.util.regex.Pattern.compile("clicks/\\d{4}/\\d\\d/\\d\\d/\\d\\d/[^/]+\\.gz");

  private static long countLines(Path file) {
    try (java.io.BufferedReader reader = new java.io.BufferedReader(new java.io.InputStreamReader(
        new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(file)),
        java.nio.charset.StandardCharsets.UTF_8))) {
      long count = 0;
      while (reader.readLine() != null) {
        count++;
      }
      return count;
    } catch (java.io.IOException e) {
      throw new CliException("cannot read the delivered object " + file + " as GZIP: " + e.getMessage(), e);
    }
  }

  private static long size(Path file) {
    try {
      return java.nio.file.Files.size(file);
    } catch (java.io.IOException e) {
      throw new CliException("cannot read the delivered object " + file + ": " + e.getMessage(), e);
    }
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
  /** How many records of the demo's stream, in {@code shards}, arrived after {@code stopMillis}. */
  static long arrivedAfter(StreamClient client, java.util.Collection<String> shards, long stopMillis) {
    long late = 0;
    for (String shard : shards) {
      String iterator = client.getShardIterator(STREAM, shard,
          StartingPosition.atTimestamp(Instant.ofEpochMilli(stopMillis + 1)));
      while (iterator != null) {
        dev.freshet.sdk.stream.GetRecordsResult result = client.getRecords(iterator, 10_000);
        late += result.records().size();
        if (result.records().isEmpty() && result.millisBehindLatest() == 0) {
          break;
        }
        iterator = result.nextShardIterator();
      }
    }
    return late;
  }

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
   * Builds and starts the pipeline on a thread of its own, so that production need not wait for
   * it. The Direct runner's {@code run()} returns at once ({@code blockOnRun=false}); Flink in this
   * JVM runs the job inside {@code run()}.
   */
  private static CompletableFuture<PipelineResult> launch(java.util.function.Supplier<Pipeline> build) {
    CompletableFuture<PipelineResult> future = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        future.complete(build.get().run());
      } catch (RuntimeException | Error e) {
        future.completeExceptionally(e);
      }
    }, "demo-pipeline");
    thread.setDaemon(true);
    thread.start();
    return future;
  }

  /** Prints windows and objects as they come until the pipeline ends; returns how many windows closed. */
  private static int awaitPipeline(CompletableFuture<PipelineResult> running,
      BlockingQueue<Object> rankings, PrintWriter out) throws InterruptedException {
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

  /**
   * Prints what the pipeline reported since the last call: a closed window's ranking, or an object
   * the archive put. Returns how many windows it printed.
   */
  private static int printRankings(BlockingQueue<Object> events, PrintWriter out) {
    int printed = 0;
    Object event;
    while ((event = events.poll()) != null) {
      if (event instanceof TopPages.WindowRanking ranking) {
        out.println("\r" + ranking.format());
        printed++;
      } else if (event instanceof DeliveredObject object) {
        out.printf("\rFirehose put %s (%s records)%n", object.key(), Figures.count(object.recordCount()));
      }
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

  /**
   * Writes events for {@link #seconds} (but not past {@code latestEnd}), paced to {@link #rate};
   * returns the seconds it took.
   */
  private double produce(BatchWriter writer, Instant latestEnd, BlockingQueue<Object> rankings,
      CompletableFuture<PipelineResult> running, PrintWriter out) throws InterruptedException {
    ClickEventGenerator clicks = ClickEventGenerator.create(seed);
    long started = System.nanoTime();
    long deadline = started + Math.max(0, Math.min(java.util.concurrent.TimeUnit.SECONDS.toNanos(seconds),
        java.time.Duration.between(Instant.now(), latestEnd).toNanos()));
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
        if (running.isCompletedExceptionally()) {
          pipelineResult(running); // a pipeline that failed to build or start ends the demo now
        }
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
