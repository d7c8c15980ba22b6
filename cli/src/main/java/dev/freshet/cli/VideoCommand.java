package dev.freshet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.kinesis.video.Ack;
import dev.freshet.kinesis.video.Fragment;
import dev.freshet.kinesis.video.FragmentInfo;
import dev.freshet.kinesis.video.MediaIngest;
import dev.freshet.kinesis.video.MkvOutput;
import dev.freshet.kinesis.video.StartSelector;
import dev.freshet.kinesis.video.VideoException;
import dev.freshet.kinesis.video.VideoFragmentStore;
import dev.freshet.kinesis.video.VideoStreamInfo;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code freshet video create|list|put|get|images|clip|hls|dash}: Kinesis video streams in the data folder's video store
 * ({@code DATA/video}), or, with {@code --endpoint}, through a running {@code freshet server} (which
 * holds the folder while it runs).
 */
@Command(
    name = "video",
    description = "Kinesis video streams: create them, put MKV media into them, get media out.",
    mixinStandardHelpOptions = true,
    subcommands = {
      VideoCommand.Create.class,
      VideoCommand.ListVideoStreams.class,
      VideoCommand.Put.class,
      VideoCommand.Get.class,
      VideoMediaCommands.Images.class,
      VideoMediaCommands.Clip.class,
      VideoPlaybackCommands.Hls.class,
      VideoPlaybackCommands.Dash.class
    })
final class VideoCommand implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: create, list, put, get, images, clip, hls or dash");
  }

  /** The video store in the data folder; a server holding it is named in the error. */
  static VideoFragmentStore openStore(CommandSpec spec) {
    Freshet root = Freshet.root(spec);
    try {
      return VideoFragmentStore.open(root.dataDir.resolve("video"), root.durability);
    } catch (IllegalStateException e) {
      throw new CliException(e.getMessage() + " (add --endpoint URL to go through the server)", e);
    } catch (UncheckedIOException e) {
      throw new CliException(e.getMessage() + ": " + e.getCause().getMessage(), e);
    }
  }

  static CliException failure(VideoException e) {
    return new CliException(e.errorType() + ": " + e.getMessage(), e);
  }

  /** Options of the commands that can go through a server. */
  static final class Remote {
    @Option(names = "--endpoint", paramLabel = "URL",
        description = "Go through a freshet server (or Kinesis Video data endpoint) at URL instead of the "
            + "data folder.")
    @Nullable URI endpoint;

    HttpClient http() {
      return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** POSTs {@code body} as JSON to {@code path}; a service error becomes a one-line CLI error. */
    <T> HttpResponse<T> post(String path, ObjectNode body, HttpResponse.BodyHandler<T> handler) {
      HttpRequest request = HttpRequest.newBuilder(endpoint.resolve(path))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
      return send(request, handler);
    }

    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
      try {
        return http().send(request, handler);
      } catch (IOException e) {
        throw new CliException("cannot reach " + endpoint + ": " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted", e);
      }
    }

    static void check(int status, InputStream body, @Nullable String type) throws IOException {
      if (status != 200) {
        String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        String message = text;
        try {
          message = JSON.readTree(text).path("message").asText(text);
        } catch (IOException notJson) {
          // the raw text then
        }
        throw new CliException((type == null ? "HTTP " + status : type) + ": " + message);
      }
    }
  }

  @Command(name = "create", description = "Create a video stream.", mixinStandardHelpOptions = true)
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Stream name.")
    String name;

    @Option(names = "--retention-hours", paramLabel = "H", defaultValue = "24",
        description = "Hours fragments are kept; 0 keeps them until the stream is deleted (default: ${DEFAULT-VALUE}).")
    int retentionHours;

    @Option(names = "--media-type", paramLabel = "TYPE", defaultValue = "video/h264",
        description = "Media type recorded with the stream (default: ${DEFAULT-VALUE}).")
    String mediaType;

    @CommandLine.Mixin Remote remote = new Remote();

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      String arn;
      if (remote.endpoint != null) {
        ObjectNode body = JSON.createObjectNode().put("StreamName", name).put("MediaType", mediaType)
            .put("DataRetentionInHours", retentionHours);
        HttpResponse<InputStream> response = remote.post("/createStream", body, HttpResponse.BodyHandlers.ofInputStream());
        Remote.check(response.statusCode(), response.body(), response.headers().firstValue("x-amzn-ErrorType").orElse(null));
        arn = JSON.readTree(response.body()).path("StreamARN").asText();
      } else {
        try (VideoFragmentStore store = openStore(spec)) {
          arn = store.createStream(name, null, mediaType, retentionHours).streamArn();
        } catch (VideoException e) {
          throw failure(e);
        }
      }
      out.printf("created video stream %s (%s), retention %d h%n", name, arn, retentionHours);
      return 0;
    }
  }

  @Command(name = "list", description = "List the video streams and their fragments.", mixinStandardHelpOptions = true)
  static final class ListVideoStreams implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (VideoFragmentStore store = openStore(spec)) {
        out.printf("%-32s %-10s %10s %14s%n", "NAME", "RETENTION", "FRAGMENTS", "BYTES");
        for (VideoStreamInfo info : store.listStreams()) {
          long bytes = 0;
          int count = 0;
          for (FragmentInfo fragment : store.listFragments(info.streamName())) {
            bytes += fragment.sizeInBytes();
            count++;
          }
          out.printf("%-32s %8d h %10d %14d%n", info.streamName(), info.dataRetentionInHours(), count, bytes);
        }
      }
      return 0;
    }
  }

  @Command(name = "put", description = "Put an MKV file (clusters are fragments) into a video stream, as PutMedia does.",
      mixinStandardHelpOptions = true)
  static final class Put implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Stream name.")
    String name;

    @Option(names = "--file", paramLabel = "FILE", required = true,
        description = "Matroska (.mkv, .webm) file: H.264 with codec private data, one cluster per fragment; "
            + "or an H.264 .mp4 file, cut into fragments at its keyframes.")
    Path file;

    @Option(names = "--timecode-type", paramLabel = "relative|absolute", defaultValue = "relative",
        description = "Cluster timecodes count from --start (relative) or from the epoch (absolute) "
            + "(default: ${DEFAULT-VALUE}).")
    String timecodeType;

    @Option(names = "--start", paramLabel = "TIME",
        description = "Producer start time for relative timecodes: ISO-8601 or epoch seconds (default: now).")
    String start;

    @CommandLine.Mixin Remote remote = new Remote();

    @Override
    public Integer call() throws IOException {
      MediaIngest.TimecodeType type = switch (timecodeType.toLowerCase(Locale.ROOT)) {
        case "relative" -> MediaIngest.TimecodeType.RELATIVE;
        case "absolute" -> MediaIngest.TimecodeType.ABSOLUTE;
        default -> throw new CommandLine.ParameterException(spec.commandLine(),
            "--timecode-type must be relative or absolute, but was: " + timecodeType);
      };
      Long startMillis = start == null ? null : parseTime(spec, "--start", start);
      if (!Files.isRegularFile(file)) {
        throw new CliException("no such file: " + file);
      }
      boolean mp4 = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".mp4");
      byte[] converted = mp4 ? Mp4Fragments.toMkv(file) : null;
      PrintWriter out = spec.commandLine().getOut();
      int[] persisted = {0};
      String[] last = {null};
      String[] error = {null};
      MediaIngest.AckListener acks = ack -> {
        if (ack.eventType() == Ack.EventType.PERSISTED) {
          persisted[0]++;
          last[0] = ack.fragmentNumber();
        } else if (ack.eventType() == Ack.EventType.ERROR) {
          error[0] = ack.error().errorId() + " " + ack.error().name() + ": " + ack.message();
        }
      };
      if (remote.endpoint != null) {
        putRemote(type, startMillis, converted, persisted, last, error);
      } else {
        try (VideoFragmentStore store = openStore(spec);
            InputStream media = converted != null ? new ByteArrayInputStream(converted) : Files.newInputStream(file)) {
          MediaIngest.run(store, name, media, type, startMillis, acks);
        } catch (VideoException e) {
          throw failure(e);
        }
      }
      out.printf("stored %d fragments from %s in %s%s%n", persisted[0], file, name,
          last[0] == null ? "" : " (last " + last[0] + ")");
      if (error[0] != null) {
        throw new CliException("fragment " + (persisted[0] + 1) + " was refused: " + error[0]);
      }
      return 0;
    }

    private void putRemote(MediaIngest.TimecodeType type, @Nullable Long startMillis, byte @Nullable [] converted,
        int[] persisted, String[] last, String[] error) throws IOException {
      HttpRequest.Builder request = HttpRequest.newBuilder(remote.endpoint.resolve("/putMedia"))
          .header("x-amzn-stream-name", name)
          .header("x-amzn-fragment-timecode-type", type.name())
          .POST(HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
              return converted != null ? new ByteArrayInputStream(converted) : Files.newInputStream(file);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }));
      if (startMillis != null) {
        request.header("x-amzn-producer-start-timestamp", BigDecimal.valueOf(startMillis, 3).toPlainString());
      }
      HttpResponse<InputStream> response = remote.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      Remote.check(response.statusCode(), response.body(), response.headers().firstValue("x-amzn-ErrorType").orElse(null));
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (line.isBlank()) {
            continue;
          }
          JsonNode ack = JSON.readTree(line);
          switch (ack.path("EventType").asText()) {
            case "PERSISTED" -> {
              persisted[0]++;
              last[0] = ack.path("FragmentNumber").asText();
            }
            case "ERROR" -> error[0] = ack.path("ErrorId").asInt() + " " + ack.path("ErrorCode").asText()
                + ": " + ack.path("Message").asText();
            default -> { }
          }
        }
      }
    }
  }

  @Command(name = "get", description = "Get media from a video stream into an MKV file, as GetMedia returns it "
      + "(one Matroska document per fragment, with the AWS_KINESISVIDEO_* tags).", mixinStandardHelpOptions = true)
  static final class Get implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Stream name.")
    String name;

    @Option(names = "--start", paramLabel = "WHERE", defaultValue = "earliest",
        description = "earliest, now, fragment=NUMBER, timestamp=TIME (producer time), server-timestamp=TIME, "
            + "or continuation=TOKEN; TIME is ISO-8601 or epoch seconds (default: ${DEFAULT-VALUE}).")
    String start;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "File to write.")
    Path output;

    @Option(names = "--max-fragments", paramLabel = "N", description = "Stop after N fragments.")
    Integer maxFragments;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "0",
        description = "Go on waiting this long for new fragments once the stored ones are written "
            + "(with --endpoint, the server's idle timeout applies instead) (default: ${DEFAULT-VALUE}).")
    double waitSeconds;

    @CommandLine.Mixin Remote remote = new Remote();

    @Override
    public Integer call() throws IOException {
      StartSelector selector = selector();
      PrintWriter out = spec.commandLine().getOut();
      int written = 0;
      if (remote.endpoint != null) {
        written = getRemote();
      } else {
        try (VideoFragmentStore store = openStore(spec); OutputStream file = Files.newOutputStream(output)) {
          String position = store.startPosition(name, selector);
          long waitMillis = (long) (waitSeconds * 1000);
          while (maxFragments == null || written < maxFragments) {
            Optional<FragmentInfo> next = store.awaitFragment(name, position, waitMillis);
            if (next.isEmpty()) {
              break;
            }
            String number = next.get().fragmentNumber();
            position = VideoFragmentStore.positionAfter(number);
            Fragment fragment = store.readFragment(name, number);
            file.write(MkvOutput.document(fragment, number,
                System.currentTimeMillis() - fragment.info().serverTimestampMillis()));
            written++;
          }
        } catch (VideoException e) {
          throw failure(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CliException("interrupted", e);
        } catch (NoSuchFileException e) {
          throw new CliException("cannot write " + output + ": no such folder", e);
        }
      }
      out.printf("wrote %d fragments of %s to %s%n", written, name, output);
      return 0;
    }

    private int getRemote() throws IOException {
      ObjectNode selectorJson = JSON.createObjectNode().put("StartSelectorType", selector().type().name());
      String value = start.contains("=") ? start.substring(start.indexOf('=') + 1) : null;
      switch (selector().type()) {
        case FRAGMENT_NUMBER -> selectorJson.put("AfterFragmentNumber", value);
        case CONTINUATION_TOKEN -> selectorJson.put("ContinuationToken", value);
        case PRODUCER_TIMESTAMP, SERVER_TIMESTAMP ->
            selectorJson.put("StartTimestamp", BigDecimal.valueOf(parseTime(spec, "--start", value), 3));
        default -> { }
      }
      ObjectNode body = JSON.createObjectNode().put("StreamName", name);
      body.set("StartSelector", selectorJson);
      HttpResponse<InputStream> response = remote.post("/getMedia", body, HttpResponse.BodyHandlers.ofInputStream());
      Remote.check(response.statusCode(), response.body(), response.headers().firstValue("x-amzn-ErrorType").orElse(null));
      long bytes;
      try (InputStream media = response.body(); OutputStream file = Files.newOutputStream(output)) {
        bytes = media.transferTo(file);
      }
      // Count the documents written: one EBML header each.
      byte[] written = Files.readAllBytes(output);
      int count = 0;
      for (int i = 0; i + 3 < written.length; i++) {
        if ((written[i] & 0xff) == 0x1A && (written[i + 1] & 0xff) == 0x45 && (written[i + 2] & 0xff) == 0xDF
            && (written[i + 3] & 0xff) == 0xA3) {
          count++;
        }
      }
      return bytes == 0 ? 0 : count;
    }

    private StartSelector selector() {
      String lower = start.toLowerCase(Locale.ROOT);
      if (lower.equals("earliest")) {
        return StartSelector.earliest();
      }
      if (lower.equals("now")) {
        return StartSelector.now();
      }
      int equals = start.indexOf('=');
      if (equals > 0) {
        String key = lower.substring(0, equals);
        String value = start.substring(equals + 1);
        switch (key) {
          case "fragment":
            return StartSelector.fragmentNumber(value);
          case "continuation":
            return StartSelector.continuationToken(value);
          case "timestamp":
            return StartSelector.producerTimestamp(parseTime(spec, "--start", value));
          case "server-timestamp":
            return StartSelector.serverTimestamp(parseTime(spec, "--start", value));
          default:
            break;
        }
      }
      throw new CommandLine.ParameterException(spec.commandLine(), "--start must be earliest, now, fragment=NUMBER, "
          + "timestamp=TIME, server-timestamp=TIME or continuation=TOKEN, but was: " + start);
    }
  }

  /** ISO-8601 ({@code 2024-05-01T12:00:00Z}) or epoch seconds ({@code 1714564800.5}) to epoch millis. */
  static long parseTime(CommandSpec spec, String option, String value) {
    try {
      return new BigDecimal(value).movePointRight(3).longValueExact();
    } catch (NumberFormatException | ArithmeticException notSeconds) {
      try {
        return Instant.parse(value).toEpochMilli();
      } catch (DateTimeParseException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), option
            + " needs a time as ISO-8601 (2024-05-01T12:00:00Z) or epoch seconds, but was: " + value);
      }
    }
  }
}
