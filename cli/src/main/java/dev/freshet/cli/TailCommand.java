package dev.freshet.cli;

import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.ShardIteratorType;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code freshet tail}: prints the records of every shard, following new ones. */
@Command(
    name = "tail",
    description = {
      "Print records as sequenceNumber<TAB>partitionKey<TAB>data, following every shard "
          + "(a split or merged shard's children after the parents). Ctrl-C ends it.",
      "Data is printed as text when it is UTF-8 without tabs or line breaks, else as base64."
    },
    mixinStandardHelpOptions = true)
final class TailCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "STREAM", description = "Stream name or ARN.")
  String stream;

  @Option(
      names = "--from",
      paramLabel = "POSITION",
      defaultValue = "trim-horizon",
      converter = PositionConverter.class,
      description = "trim-horizon, latest, at-timestamp=ISO-8601 or at-sequence=N (with --shard); "
          + "default: ${DEFAULT-VALUE}.")
  StartingPosition from;

  @Option(names = "--shard", paramLabel = "ID", description = "Only this shard (and the shards that continue it).")
  String shard;

  @Option(names = "--max", paramLabel = "N", description = "Stop after N records.")
  Long max;

  @Option(names = "--no-follow", description = "Stop once every shard is read up to its newest record.")
  boolean noFollow;

  @Override
  public Integer call() throws InterruptedException {
    if (from.type() == ShardIteratorType.AT_SEQUENCE_NUMBER && shard == null) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--from at-sequence=N needs --shard: a sequence number belongs to one shard");
    }
    if (max != null && max < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--max must be at least 1, but was: " + max);
    }
    PrintWriter out = spec.commandLine().getOut();
    CountDownLatch done = new CountDownLatch(1);
    StreamFollower[] follower = new StreamFollower[1];
    // Ctrl-C stops the read after the current page and waits for the store to close cleanly.
    Thread onInterrupt = new Thread(() -> {
      StreamFollower running = follower[0];
      if (running != null) {
        running.stop();
      }
      try {
        done.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "freshet-tail-stop");
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    try (StreamClient client = Freshet.root(spec).openStore()) {
      follower[0] = new StreamFollower(client, stream, from, shard, !noFollow);
      long[] printed = {0};
      follower[0].run(new StreamFollower.Sink() {
        @Override
        public boolean accept(Record record) {
          out.append(record.sequenceNumber()).append('\t')
              .append(record.partitionKey()).append('\t')
              .append(printable(record.data())).append('\n');
          printed[0]++;
          return max == null || printed[0] < max;
        }

        @Override
        public void endOfPage() {
          out.flush();
        }
      });
      out.flush();
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(onInterrupt);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running and waits for `done`.
      }
    }
    return 0;
  }

  /** The data as text if it is UTF-8 that keeps the line format, else base64. */
  static String printable(byte[] data) {
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(data))
          .toString();
      if (text.indexOf('\n') < 0 && text.indexOf('\r') < 0 && text.indexOf('\t') < 0) {
        return text;
      }
    } catch (CharacterCodingException notText) {
      // Printed as base64 below.
    }
    return Base64.getEncoder().encodeToString(data);
  }

  static final class PositionConverter implements CommandLine.ITypeConverter<StartingPosition> {
    @Override
    public StartingPosition convert(String value) {
      if (value.equals("trim-horizon")) {
        return StartingPosition.trimHorizon();
      }
      if (value.equals("latest")) {
        return StartingPosition.latest();
      }
      if (value.startsWith("at-timestamp=")) {
        String time = value.substring("at-timestamp=".length());
        try {
          return StartingPosition.atTimestamp(Instant.parse(time));
        } catch (DateTimeParseException notInstant) {
          try {
            return StartingPosition.atTimestamp(OffsetDateTime.parse(time).toInstant());
          } catch (DateTimeParseException e) {
            throw new CommandLine.TypeConversionException(
                "at-timestamp needs an ISO-8601 time such as 2026-01-31T12:00:00Z, but was: " + time);
          }
        }
      }
      if (value.startsWith("at-sequence=")) {
        String sequence = value.substring("at-sequence=".length());
        if (!sequence.matches("[0-9]+")) {
          throw new CommandLine.TypeConversionException("at-sequence needs a decimal sequence number, but was: " + sequence);
        }
        return StartingPosition.atSequenceNumber(sequence);
      }
      throw new CommandLine.TypeConversionException(
          "--from must be trim-horizon, latest, at-timestamp=ISO-8601 or at-sequence=N, but was: " + value);
    }
  }
}
