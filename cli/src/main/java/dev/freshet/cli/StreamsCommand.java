package dev.freshet.cli;

import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.ListStreamsResult;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamDescription;
import dev.freshet.sdk.stream.StreamStatus;
import dev.freshet.sdk.stream.StreamSummary;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code freshet streams create|list|describe|delete}. */
@Command(
    name = "streams",
    description = "Create, list, describe and delete streams.",
    mixinStandardHelpOptions = true,
    subcommands = {
      StreamsCommand.Create.class,
      StreamsCommand.ListStreams.class,
      StreamsCommand.Describe.class,
      StreamsCommand.Delete.class
    })
final class StreamsCommand implements Runnable {
  private static final Duration ACTIVE_TIMEOUT = Duration.ofMinutes(1);

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: create, list, describe or delete");
  }

  /**
   * Waits until a stream is ACTIVE: the store can be configured to keep new or changed streams in
   * CREATING or UPDATING for a while, as the service does.
   */
  static void awaitActive(StreamClient client, String stream) {
    long deadline = System.nanoTime() + ACTIVE_TIMEOUT.toNanos();
    while (client.describeStreamSummary(stream).streamStatus() != StreamStatus.ACTIVE) {
      if (System.nanoTime() > deadline) {
        throw new CliException("stream " + stream + " is not ACTIVE after " + ACTIVE_TIMEOUT.toSeconds() + " s");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted while waiting for stream " + stream + " to become ACTIVE", e);
      }
    }
  }

  @Command(name = "create", description = "Create a stream.", mixinStandardHelpOptions = true)
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Stream name.")
    String name;

    @ArgGroup(exclusive = true)
    Capacity capacity;

    static final class Capacity {
      @Option(names = "--shards", paramLabel = "N", description = "Provisioned, with N shards (default: 1).")
      Integer shards;

      @Option(names = "--on-demand", description = "On-demand: shards split by themselves under write load.")
      boolean onDemand;
    }

    @Option(names = "--retention-hours", paramLabel = "H", description = "Retention period, 24 to 8760 hours (default: 24).")
    Integer retentionHours;

    @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "A tag; repeat for more.")
    Map<String, String> tags = new LinkedHashMap<>();

    @Override
    public Integer call() {
      CreateStreamRequest request;
      if (capacity != null && capacity.onDemand) {
        request = CreateStreamRequest.onDemand(name);
      } else {
        int shards = capacity == null || capacity.shards == null ? 1 : capacity.shards;
        if (shards < 1) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--shards must be at least 1, but was: " + shards);
        }
        request = CreateStreamRequest.provisioned(name, shards);
      }
      if (retentionHours != null && (retentionHours < 24 || retentionHours > 8760)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--retention-hours must be between 24 and 8760, but was: " + retentionHours);
      }
      if (!tags.isEmpty()) {
        request = request.withTags(tags);
      }
      PrintWriter out = spec.commandLine().getOut();
      try (StreamClient client = Freshet.root(spec).openStore()) {
        client.createStream(request);
        if (retentionHours != null && retentionHours > 24) {
          awaitActive(client, name);
          client.increaseStreamRetentionPeriod(name, retentionHours);
        }
        awaitActive(client, name);
        StreamSummary summary = client.describeStreamSummary(name);
        out.printf("created %s: %s, %d open shard%s, retention %d h%n  %s%n",
            name, mode(summary), summary.openShardCount(), summary.openShardCount() == 1 ? "" : "s",
            summary.retentionPeriodHours(), summary.streamArn());
      }
      return 0;
    }
  }

  @Command(name = "list", description = "List the streams.", mixinStandardHelpOptions = true)
  static final class ListStreams implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      List<StreamSummary> streams = new ArrayList<>();
      try (StreamClient client = Freshet.root(spec).openStore()) {
        String token = null;
        do {
          ListStreamsResult page = client.listStreams(token, 1000);
          streams.addAll(page.streams());
          token = page.nextToken();
        } while (token != null);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (streams.isEmpty()) {
        out.printf("no streams in %s%n", Freshet.root(spec).dataDir.toAbsolutePath().normalize());
        return 0;
      }
      int width = Math.max(4, streams.stream().mapToInt(s -> s.streamName().length()).max().orElse(0));
      String format = "%-" + width + "s  %-8s  %-11s  %11s  %9s%n";
      out.printf(format, "NAME", "STATUS", "MODE", "OPEN SHARDS", "RETENTION");
      for (StreamSummary summary : streams) {
        out.printf(format, summary.streamName(), summary.streamStatus(), mode(summary),
            summary.openShardCount(), summary.retentionPeriodHours() + " h");
      }
      return 0;
    }
  }

  @Command(name = "describe", description = "Describe a stream and its shards.", mixinStandardHelpOptions = true)
  static final class Describe implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Stream name or ARN.")
    String name;

    @Override
    public Integer call() {
      StreamDescription description;
      StreamSummary summary;
      Map<String, String> tags;
      try (StreamClient client = Freshet.root(spec).openStore()) {
        description = client.describeStream(name);
        summary = client.describeStreamSummary(name);
        tags = new TreeMap<>(client.listTagsForStream(name));
      }
      PrintWriter out = spec.commandLine().getOut();
      String format = "%-12s %s%n";
      out.printf(format, "name", summary.streamName());
      out.printf(format, "arn", summary.streamArn());
      out.printf(format, "status", summary.streamStatus());
      out.printf(format, "mode", mode(summary));
      out.printf(format, "retention", summary.retentionPeriodHours() + " h");
      out.printf(format, "encryption",
          summary.keyId() == null ? summary.encryptionType() : summary.encryptionType() + " (key " + summary.keyId() + ")");
      out.printf(format, "created", summary.creationTimestamp());
      out.printf(format, "open shards", summary.openShardCount());
      out.printf(format, "consumers", summary.consumerCount());
      if (!tags.isEmpty()) {
        List<String> pairs = new ArrayList<>();
        tags.forEach((k, v) -> pairs.add(k + "=" + v));
        out.printf(format, "tags", String.join(", ", pairs));
      }
      out.println();
      printShards(out, description.shards());
      return 0;
    }

    private static void printShards(PrintWriter out, List<Shard> shards) {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"SHARD", "STATE", "PARENTS", "HASH KEYS", "SEQUENCE NUMBERS"});
      for (Shard shard : shards) {
        List<String> parents = new ArrayList<>();
        if (shard.parentShardId() != null) {
          parents.add(shard.parentShardId());
        }
        if (shard.adjacentParentShardId() != null) {
          parents.add(shard.adjacentParentShardId());
        }
        String ending = shard.sequenceNumberRange().endingSequenceNumber();
        rows.add(new String[] {
          shard.shardId(),
          shard.isOpen() ? "open" : "closed",
          parents.isEmpty() ? "-" : String.join(",", parents),
          shard.hashKeyRange().startingHashKey() + ".." + shard.hashKeyRange().endingHashKey(),
          shard.sequenceNumberRange().startingSequenceNumber() + ".." + (ending == null ? "" : ending)
        });
      }
      int[] widths = new int[rows.get(0).length];
      for (String[] row : rows) {
        for (int i = 0; i < row.length; i++) {
          widths[i] = Math.max(widths[i], row[i].length());
        }
      }
      for (String[] row : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.length; i++) {
          line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
        }
        out.println(line);
      }
    }
  }

  @Command(name = "delete", description = "Delete a stream and its records.", mixinStandardHelpOptions = true)
  static final class Delete implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Stream name or ARN.")
    String name;

    @Option(names = "--force", description = "Also deregister the stream's consumers (otherwise deletion is refused while it has any).")
    boolean force;

    @Override
    public Integer call() {
      try (StreamClient client = Freshet.root(spec).openStore()) {
        client.deleteStream(name, force);
      }
      spec.commandLine().getOut().printf("deleted %s%n", name);
      return 0;
    }
  }

  private static String mode(StreamSummary summary) {
    return summary.streamMode().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
