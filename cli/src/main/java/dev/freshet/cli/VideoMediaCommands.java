package dev.freshet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.kinesis.video.FragmentInfo;
import dev.freshet.kinesis.video.VideoClips;
import dev.freshet.kinesis.video.VideoException;
import dev.freshet.kinesis.video.VideoFragmentStore;
import dev.freshet.kinesis.video.VideoImage;
import dev.freshet.kinesis.video.VideoImages;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code freshet video images} and {@code clip}: the archived media commands, on the data folder or through a server. */
final class VideoMediaCommands {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)");
  private static final DateTimeFormatter FILE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  /** GetImages' smallest sampling interval and longest time range. */
  static final long MIN_EVERY_MILLIS = 200;
  static final long MAX_RANGE_MILLIS = 300_000;

  private VideoMediaCommands() {}

  /** {@code 1s}, {@code 500ms}, {@code 2.5s}, {@code 1m} to milliseconds. */
  static long parseDuration(CommandSpec spec, String option, String value) {
    Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new CommandLine.ParameterException(spec.commandLine(), option
          + " needs a duration such as 1s, 500ms or 2m, but was: " + value);
    }
    BigDecimal number = new BigDecimal(m.group(1));
    BigDecimal millis = switch (m.group(2)) {
      case "ms" -> number;
      case "s" -> number.movePointRight(3);
      default -> number.multiply(BigDecimal.valueOf(60_000));
    };
    return millis.longValue();
  }

  /** The first and last millisecond of producer time with media, from the stream's fragments. */
  static long[] mediaRange(List<long[]> fragments) {
    long from = Long.MAX_VALUE;
    long to = Long.MIN_VALUE;
    for (long[] fragment : fragments) {
      from = Math.min(from, fragment[0]);
      to = Math.max(to, fragment[0] + Math.max(1, fragment[1]) - 1);
    }
    return new long[] {from, to};
  }

  @Command(name = "images", description = "Write images (JPEG or PNG) of a video stream at a sampling interval "
      + "into a folder, as GetImages makes them.", mixinStandardHelpOptions = true)
  static final class Images implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Stream name.")
    String name;

    @Option(names = "--every", paramLabel = "DURATION", defaultValue = "1s",
        description = "Sampling interval, at least 200ms: 1s, 500ms, 2m (default: ${DEFAULT-VALUE}).")
    String every;

    @Option(names = "--from", paramLabel = "TIME",
        description = "First producer time: ISO-8601 or epoch seconds (default: the stream's first fragment).")
    @Nullable String from;

    @Option(names = "--to", paramLabel = "TIME",
        description = "Last producer time: ISO-8601 or epoch seconds (default: the end of the last fragment).")
    @Nullable String to;

    @Option(names = "--format", paramLabel = "jpeg|png", defaultValue = "jpeg",
        description = "Image format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--quality", paramLabel = "Q", defaultValue = "80",
        description = "JPEG quality, 1 to 100 (default: ${DEFAULT-VALUE}).")
    int quality;

    @Option(names = "--width", paramLabel = "PIXELS", description = "Image width (alone: the aspect ratio is kept).")
    @Nullable Integer width;

    @Option(names = "--height", paramLabel = "PIXELS", description = "Image height (alone: the aspect ratio is kept).")
    @Nullable Integer height;

    @Option(names = {"-o", "--output"}, paramLabel = "FOLDER", required = true,
        description = "Folder to write NAME-TIME.jpg (or .png) into; created if missing.")
    Path output;

    @CommandLine.Mixin VideoCommand.Remote remote = new VideoCommand.Remote();

    @Override
    public Integer call() throws IOException {
      long everyMillis = parseDuration(spec, "--every", every);
      if (everyMillis < MIN_EVERY_MILLIS) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--every must be at least 200ms (GetImages' smallest sampling interval), but was: " + every);
      }
      VideoImages.Format imageFormat = switch (format.toLowerCase(Locale.ROOT)) {
        case "jpeg", "jpg" -> VideoImages.Format.JPEG;
        case "png" -> VideoImages.Format.PNG;
        default -> throw new CommandLine.ParameterException(spec.commandLine(),
            "--format must be jpeg or png, but was: " + format);
      };
      if (quality < 1 || quality > 100) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--quality must be 1 to 100, but was: " + quality);
      }
      if ((width != null && width < 1) || (height != null && height < 1)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--width and --height must be positive");
      }
      Long fromMillis = from == null ? null : VideoCommand.parseTime(spec, "--from", from);
      Long toMillis = to == null ? null : VideoCommand.parseTime(spec, "--to", to);
      Files.createDirectories(output);
      String extension = imageFormat == VideoImages.Format.PNG ? ".png" : ".jpg";
      int[] counts = {0, 0};
      ImageSink sink = image -> {
        if (image.error() != null) {
          counts[1]++;
          return;
        }
        Files.write(output.resolve(name + "-" + FILE_TIME.format(Instant.ofEpochMilli(image.timestampMillis()))
            + extension), image.content());
        counts[0]++;
      };
      if (remote.endpoint != null) {
        long[] range = fromMillis != null && toMillis != null ? new long[] {fromMillis, toMillis} : remoteRange();
        sampleRemote(fromMillis != null ? fromMillis : range[0], toMillis != null ? toMillis : range[1], everyMillis,
            imageFormat, sink);
      } else {
        try (VideoFragmentStore store = VideoCommand.openStore(spec)) {
          List<long[]> fragments = new ArrayList<>();
          for (FragmentInfo info : store.listFragments(name)) {
            fragments.add(new long[] {info.producerTimestampMillis(), info.durationMillis()});
          }
          long[] range = mediaRange(fragments);
          long first = fromMillis != null ? fromMillis : range[0];
          long last = toMillis != null ? toMillis : range[1];
          if (!fragments.isEmpty() || (fromMillis != null && toMillis != null)) {
            checkRange(first, last);
            // A hundred images at a time: each batch decodes each fragment once.
            for (long at = first; at <= last; ) {
              int n = (int) Math.min(100, (last - at) / everyMillis + 1);
              long[] times = new long[n];
              for (int i = 0; i < n; i++) {
                times[i] = at + i * everyMillis;
              }
              for (VideoImage image : VideoImages.images(store, name, true, times, imageFormat, quality, width, height)) {
                sink.accept(image);
              }
              at += n * everyMillis;
            }
          }
        } catch (VideoException e) {
          throw VideoCommand.failure(e);
        }
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf("wrote %d images of %s to %s%s%n", counts[0], name, output,
          counts[1] == 0 ? "" : " (" + counts[1] + " times without media or undecodable)");
      return 0;
    }

    private void checkRange(long first, long last) {
      if (last < first) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--to must not be before --from");
      }
    }

    /** The producer time range of the stream's media, through ListFragments. */
    private long[] remoteRange() throws IOException {
      List<long[]> fragments = new ArrayList<>();
      String token = null;
      do {
        ObjectNode body = JSON.createObjectNode().put("StreamName", name);
        if (token != null) {
          body.put("NextToken", token);
        }
        JsonNode page = JSON.readTree(post("/listFragments", body));
        for (JsonNode fragment : page.path("Fragments")) {
          fragments.add(new long[] {fragment.path("ProducerTimestamp").decimalValue().movePointRight(3).longValue(),
              fragment.path("FragmentLengthInMilliseconds").asLong()});
        }
        token = page.hasNonNull("NextToken") ? page.path("NextToken").asText() : null;
      } while (token != null);
      if (fragments.isEmpty()) {
        throw new CliException("video stream " + name + " has no fragments");
      }
      return mediaRange(fragments);
    }

    /** GetImages over windows of at most 300 s, each read page by page. */
    private void sampleRemote(long first, long last, long everyMillis, VideoImages.Format imageFormat, ImageSink sink)
        throws IOException {
      checkRange(first, last);
      long perWindow = MAX_RANGE_MILLIS / everyMillis;
      for (long at = first; at <= last; ) {
        long samples = Math.min(perWindow, (last - at) / everyMillis) + 1;
        long windowEnd = at + (samples - 1) * everyMillis;
        String token = null;
        do {
          ObjectNode body = JSON.createObjectNode().put("StreamName", name)
              .put("ImageSelectorType", "PRODUCER_TIMESTAMP")
              .put("StartTimestamp", BigDecimal.valueOf(at, 3)).put("EndTimestamp", BigDecimal.valueOf(windowEnd, 3))
              .put("SamplingInterval", everyMillis).put("Format", imageFormat.name()).put("MaxResults", 100);
          if (imageFormat == VideoImages.Format.JPEG) {
            body.putObject("FormatConfig").put("JPEGQuality", Integer.toString(quality));
          }
          if (width != null) {
            body.put("WidthPixels", width);
          }
          if (height != null) {
            body.put("HeightPixels", height);
          }
          if (token != null) {
            body.put("NextToken", token);
          }
          JsonNode page = JSON.readTree(post("/getImages", body));
          for (JsonNode image : page.path("Images")) {
            long time = image.path("TimeStamp").decimalValue().movePointRight(3).longValue();
            sink.accept(image.hasNonNull("ImageContent")
                ? imageOf(time, Base64.getDecoder().decode(image.path("ImageContent").asText()), null)
                : imageOf(time, null, image.path("Error").asText()));
          }
          token = page.hasNonNull("NextToken") ? page.path("NextToken").asText() : null;
        } while (token != null);
        at = windowEnd + everyMillis;
      }
    }

    private byte[] post(String path, ObjectNode body) throws IOException {
      HttpResponse<InputStream> response = remote.post(path, body, HttpResponse.BodyHandlers.ofInputStream());
      VideoCommand.Remote.check(response.statusCode(), response.body(),
          response.headers().firstValue("x-amzn-ErrorType").orElse(null));
      try (InputStream in = response.body()) {
        return in.readAllBytes();
      }
    }
  }

  @Command(name = "clip", description = "Write an MP4 clip of a video stream (its H.264 frames as stored, not "
      + "re-encoded), as GetClip makes it: the whole fragments overlapping --from to --to.",
      mixinStandardHelpOptions = true)
  static final class Clip implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Stream name.")
    String name;

    @Option(names = "--from", paramLabel = "TIME", required = true,
        description = "Start, producer time: ISO-8601 or epoch seconds.")
    String from;

    @Option(names = "--to", paramLabel = "TIME", required = true,
        description = "End, producer time: ISO-8601 or epoch seconds.")
    String to;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "MP4 file to write.")
    Path output;

    @CommandLine.Mixin VideoCommand.Remote remote = new VideoCommand.Remote();

    @Override
    public Integer call() throws IOException {
      long fromMillis = VideoCommand.parseTime(spec, "--from", from);
      long toMillis = VideoCommand.parseTime(spec, "--to", to);
      if (toMillis < fromMillis) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--to must not be before --from");
      }
      byte[] mp4;
      if (remote.endpoint != null) {
        ObjectNode body = JSON.createObjectNode().put("StreamName", name);
        ObjectNode selector = body.putObject("ClipFragmentSelector").put("FragmentSelectorType", "PRODUCER_TIMESTAMP");
        selector.putObject("TimestampRange").put("StartTimestamp", BigDecimal.valueOf(fromMillis, 3))
            .put("EndTimestamp", BigDecimal.valueOf(toMillis, 3));
        HttpResponse<InputStream> response = remote.post("/getClip", body, HttpResponse.BodyHandlers.ofInputStream());
        VideoCommand.Remote.check(response.statusCode(), response.body(),
            response.headers().firstValue("x-amzn-ErrorType").orElse(null));
        try (InputStream in = response.body()) {
          mp4 = in.readAllBytes();
        }
      } else {
        try (VideoFragmentStore store = VideoCommand.openStore(spec)) {
          mp4 = VideoClips.clip(store, name, true, fromMillis, toMillis);
        } catch (VideoException e) {
          throw VideoCommand.failure(e);
        }
      }
      try {
        Files.write(output, mp4);
      } catch (java.nio.file.NoSuchFileException e) {
        throw new CliException("cannot write " + output + ": no such folder", e);
      }
      spec.commandLine().getOut().printf("wrote a clip of %s (%d bytes) to %s%n", name, mp4.length, output);
      return 0;
    }
  }

  /** What a remote answer gives, in the shape the local path gives. */
  private static VideoImage imageOf(long time, byte @Nullable [] content, @Nullable String error) {
    return VideoImage.create(time, content, error);
  }

  @FunctionalInterface
  private interface ImageSink {
    void accept(VideoImage image) throws IOException;
  }
}
