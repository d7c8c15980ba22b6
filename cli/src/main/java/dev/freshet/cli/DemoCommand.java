package dev.freshet.cli;

import dev.freshet.examples.clickstream.ClickEvent;
import dev.freshet.examples.clickstream.ClickEventGenerator;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamSummary;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
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
 * {@code freshet demo}: writes synthetic click events to a {@code clickstream} stream for a while,
 * reads back what it wrote from every shard, and prints per-shard counts and throughput.
 */
@Command(
    name = "demo",
    description = {
      "Produce synthetic click events into the 'clickstream' stream (4 shards, created if missing), "
          + "read them back from every shard, and print counts and throughput."
    },
    mixinStandardHelpOptions = true)
final class DemoCommand implements Callable<Integer> {
  static final String STREAM = "clickstream";
  static final int SHARDS = 4;
  private static final int READ_PAGE = 10_000;

  @Spec CommandSpec spec;

  @Option(names = "--seconds", paramLabel = "S", defaultValue = "20", description = "How long to produce (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--rate",
      paramLabel = "N",
      defaultValue = "20000",
      description = "Click events per second, 0 for as fast as the store takes them "
          + "(default: ${DEFAULT-VALUE}; unlimited fills gigabytes of disk in a few seconds).")
  int rate;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of the event generator (default: ${DEFAULT-VALUE}).")
  long seed;

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
    try (StreamClient client = options.openStore()) {
      ensureStream(client, out);
      BatchWriter writer = new BatchWriter(client, STREAM);
      double writeSeconds = produce(writer);
      out.printf("wrote %s click events (%s) in %.1f s: %s records/s, %s%n",
          Figures.count(writer.records()), Figures.bytes(writer.bytes()), writeSeconds,
          Figures.perSecond(writer.records(), writeSeconds),
          Figures.megabytesPerSecond(writer.bytes(), writeSeconds));
      readBack(client, writer, out);
    }
    out.printf("data folder: %s%n", options.dataDir.toAbsolutePath().normalize());
    out.flush();
    return 0;
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
  private double produce(BatchWriter writer) throws InterruptedException {
    ClickEventGenerator clicks = ClickEventGenerator.create(seed);
    long started = System.nanoTime();
    long deadline = started + seconds * 1_000_000_000L;
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
        bar.stepTo(Math.min(seconds, (now - started) / 1_000_000_000L));
        bar.setExtraMessage(Figures.count(produced) + " events");
      }
      writer.flush();
      bar.stepTo(seconds);
      bar.setExtraMessage(Figures.count(produced) + " events");
    }
    return (System.nanoTime() - started) / 1e9;
  }

  /** Reads each shard from the first record this run wrote to it, up to its newest record. */
  private static void readBack(StreamClient client, BatchWriter writer, PrintWriter out) {
    long started = System.nanoTime();
    Map<String, long[]> read = new TreeMap<>();
    for (Map.Entry<String, BatchWriter.ShardStats> shard : writer.shards().entrySet()) {
      long[] counts = {0, 0};
      String iterator = client.getShardIterator(STREAM, shard.getKey(),
          StartingPosition.atSequenceNumber(shard.getValue().firstSequenceNumber));
      while (iterator != null) {
        GetRecordsResult page = client.getRecords(iterator, READ_PAGE);
        for (var record : page.records()) {
          counts[0]++;
          counts[1] += record.data().length;
        }
        iterator = page.records().isEmpty() && page.millisBehindLatest() == 0 ? null : page.nextShardIterator();
      }
      read.put(shard.getKey(), counts);
    }
    double readSeconds = (System.nanoTime() - started) / 1e9;
    long total = 0;
    long bytes = 0;
    out.println("read back:");
    for (Map.Entry<String, long[]> shard : read.entrySet()) {
      out.printf("  %-22s %12s%n", shard.getKey(), Figures.count(shard.getValue()[0]));
      total += shard.getValue()[0];
      bytes += shard.getValue()[1];
    }
    out.printf("  %-22s %12s%n", "total", Figures.count(total));
    out.printf("read %s records (%s) in %.2f s: %s records/s, %s%n",
        Figures.count(total), Figures.bytes(bytes), readSeconds,
        Figures.perSecond(total, readSeconds), Figures.megabytesPerSecond(bytes, readSeconds));
    if (total != writer.records()) {
      throw new CliException(String.format("read back %d records but wrote %d", total, writer.records()));
    }
  }
}
