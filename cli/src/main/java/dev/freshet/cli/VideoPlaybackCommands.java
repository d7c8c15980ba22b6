package dev.freshet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code freshet video hls} and {@code dash}: print a streaming session URL a player opens, from a
 * running server (GetHLSStreamingSessionURL, GetDASHStreamingSessionURL). The server holds the
 * session, so these need {@code --endpoint}.
 */
final class VideoPlaybackCommands {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The longest ON_DEMAND range the service takes. */
  static final long MAX_ON_DEMAND_MILLIS = 24L * 3600 * 1000;

  private VideoPlaybackCommands() {}

  /** The options both commands share, and the request they make. */
  abstract static class SessionUrl implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Stream name.")
    String name;

    @Option(names = "--mode", paramLabel = "live|live-replay|on-demand", defaultValue = "live",
        description = "live: the newest fragments as they come; live-replay: from --from on, at the media's pace; "
            + "on-demand: --from to --to, complete (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--from", paramLabel = "TIME",
        description = "Start (live-replay, on-demand): ISO-8601 or epoch seconds (on-demand default: the stream's "
            + "first fragment, at most 24 h before --to).")
    @Nullable String from;

    @Option(names = "--to", paramLabel = "TIME",
        description = "End (on-demand; optional for live-replay): ISO-8601 or epoch seconds (on-demand default: the "
            + "end of the stream's last fragment).")
    @Nullable String to;

    @Option(names = "--timestamps", paramLabel = "producer|server", defaultValue = "producer",
        description = "Which timestamps --from and --to are (default: ${DEFAULT-VALUE}).")
    String timestamps;

    @Option(names = "--max-fragments", paramLabel = "N",
        description = "Most fragments a playlist lists, 1 to 5000 (default: 5 live, 1000 on-demand).")
    @Nullable Long maxFragments;

    @Option(names = "--expires", paramLabel = "SECONDS", defaultValue = "3600",
        description = "How long the URL works, 300 to 43200 s (default: ${DEFAULT-VALUE}).")
    int expires;

    @CommandLine.Mixin VideoCommand.Remote remote = new VideoCommand.Remote();

    abstract boolean dash();

    /** The first and last millisecond of the stream's fragments in {@code selectorType}'s time, by ListFragments. */
    private long[] storedRange(String selectorType) throws IOException {
      String field = selectorType.equals("PRODUCER_TIMESTAMP") ? "ProducerTimestamp" : "ServerTimestamp";
      long first = Long.MAX_VALUE;
      long last = Long.MIN_VALUE;
      String token = null;
      do {
        ObjectNode body = JSON.createObjectNode().put("StreamName", name);
        if (token != null) {
          body.put("NextToken", token);
        }
        HttpResponse<InputStream> response = remote.post("/listFragments", body, HttpResponse.BodyHandlers.ofInputStream());
        VideoCommand.Remote.check(response.statusCode(), response.body(),
            response.headers().firstValue("x-amzn-ErrorType").orElse(null));
        JsonNode page;
        try (InputStream in = response.body()) {
          page = JSON.readTree(in);
        }
        for (JsonNode fragment : page.path("Fragments")) {
          long at = fragment.path(field).decimalValue().movePointRight(3).longValue();
          first = Math.min(first, at);
          last = Math.max(last, at + Math.max(1, fragment.path("FragmentLengthInMilliseconds").asLong()));
        }
        token = page.hasNonNull("NextToken") ? page.path("NextToken").asText() : null;
      } while (token != null);
      if (first == Long.MAX_VALUE) {
        throw new CliException("video stream " + name + " has no fragments to play on demand");
      }
      return new long[] {first, last};
    }

    @Override
    public Integer call() throws IOException {
      String api = dash() ? "DASH" : "HLS";
      if (remote.endpoint == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "video " + api.toLowerCase(Locale.ROOT)
            + " needs --endpoint URL: the server holds the session and serves its playlists");
      }
      String playbackMode = switch (mode.toLowerCase(Locale.ROOT)) {
        case "live" -> "LIVE";
        case "live-replay" -> "LIVE_REPLAY";
        case "on-demand" -> "ON_DEMAND";
        default -> throw new CommandLine.ParameterException(spec.commandLine(),
            "--mode must be live, live-replay or on-demand, but was: " + mode);
      };
      String selectorType = switch (timestamps.toLowerCase(Locale.ROOT)) {
        case "producer" -> "PRODUCER_TIMESTAMP";
        case "server" -> "SERVER_TIMESTAMP";
        default -> throw new CommandLine.ParameterException(spec.commandLine(),
            "--timestamps must be producer or server, but was: " + timestamps);
      };
      Long fromMillis = from == null ? null : VideoCommand.parseTime(spec, "--from", from);
      Long toMillis = to == null ? null : VideoCommand.parseTime(spec, "--to", to);
      switch (playbackMode) {
        case "LIVE" -> {
          if (fromMillis != null || toMillis != null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--from and --to are for --mode live-replay or on-demand; live plays the newest fragments");
          }
        }
        case "LIVE_REPLAY" -> {
          if (fromMillis == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--mode live-replay needs --from");
          }
        }
        default -> {
          if (fromMillis == null || toMillis == null) {
            long[] stored = storedRange(selectorType);
            toMillis = toMillis != null ? toMillis : stored[1];
            fromMillis = fromMillis != null ? fromMillis : Math.max(stored[0], toMillis - MAX_ON_DEMAND_MILLIS);
          }
        }
      }
      ObjectNode body = JSON.createObjectNode().put("StreamName", name).put("PlaybackMode", playbackMode)
          .put("Expires", expires);
      if (maxFragments != null) {
        body.put(dash() ? "MaxManifestFragmentResults" : "MaxMediaPlaylistFragmentResults", maxFragments);
      }
      if (fromMillis != null || !playbackMode.equals("LIVE")) {
        ObjectNode selector = body.putObject(dash() ? "DASHFragmentSelector" : "HLSFragmentSelector")
            .put("FragmentSelectorType", selectorType);
        ObjectNode range = selector.putObject("TimestampRange").put("StartTimestamp", BigDecimal.valueOf(fromMillis, 3));
        if (toMillis != null) {
          range.put("EndTimestamp", BigDecimal.valueOf(toMillis, 3));
        }
      }
      String path = dash() ? "/getDASHStreamingSessionURL" : "/getHLSStreamingSessionURL";
      HttpResponse<InputStream> response = remote.post(path, body, HttpResponse.BodyHandlers.ofInputStream());
      VideoCommand.Remote.check(response.statusCode(), response.body(),
          response.headers().firstValue("x-amzn-ErrorType").orElse(null));
      JsonNode answer;
      try (InputStream in = response.body()) {
        answer = JSON.readTree(in);
      }
      spec.commandLine().getOut().println(answer.path(api + "StreamingSessionURL").asText());
      return 0;
    }
  }

  @Command(name = "hls", description = "Print an HLS streaming session URL of a video stream "
      + "(GetHLSStreamingSessionURL), for ffplay, VLC, Safari or hls.js.", mixinStandardHelpOptions = true)
  static final class Hls extends SessionUrl {
    @Override
    boolean dash() {
      return false;
    }
  }

  @Command(name = "dash", description = "Print a DASH streaming session URL of a video stream "
      + "(GetDASHStreamingSessionURL), for ffplay or dash.js.", mixinStandardHelpOptions = true)
  static final class Dash extends SessionUrl {
    @Override
    boolean dash() {
      return true;
    }
  }
}
