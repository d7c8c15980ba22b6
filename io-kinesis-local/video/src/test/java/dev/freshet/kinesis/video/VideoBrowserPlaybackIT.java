package dev.freshet.kinesis.video;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.freshet.kinesis.server.KinesisServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.DASHFragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.DASHPlaybackMode;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSFragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.HLSPlaybackMode;

/**
 * A browser plays Freshet's HLS and DASH: headless Chromium opens a page whose {@code <video>}
 * element is fed by hls.js (or dash.js) from a session URL the AWS SDK got from a real server, and
 * the page reports what the element reached. Proves that the playlists, the manifest and the
 * fragmented MP4 are accepted by a real player and Chromium's Media Source Extensions, and that
 * frames are decoded and time advances. The players come from the npm registry, pinned in {@code
 * src/test/browser/package-lock.json} and installed by {@code npm ci} (which {@code .ci/run} runs).
 */
class VideoBrowserPlaybackIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path BROWSER = Path.of("src/test/browser");
  private static final Path HLS_JS = BROWSER.resolve("node_modules/hls.js/dist/hls.min.js");
  private static final Path DASH_JS = BROWSER.resolve("node_modules/dashjs/dist/modern/umd/dash.all.min.js");

  @TempDir static Path dir;
  static VideoServerFixture fixture;
  static VideoFragmentStore videos;
  static KinesisServer server;
  static KinesisVideoClient control;
  static KinesisVideoArchivedMediaClient archive;
  static long first;
  static long end;
  static String liveUrl;

  @BeforeAll
  static void start() throws Exception {
    assertThat(CHROMIUM).as("chromium (apt-get install chromium; .ci/run installs it)").exists();
    assertThat(HLS_JS).as("hls.js: run `npm ci` in io-kinesis-local/video/src/test/browser (.ci/run does)").exists();
    assertThat(DASH_JS).as("dash.js: run `npm ci` in io-kinesis-local/video/src/test/browser (.ci/run does)").exists();
    fixture = VideoServerFixture.start(dir);
    videos = fixture.videos;
    server = fixture.server;
    control = fixture.control;
    archive = fixture.archive;
    first = fixture.first;
    end = fixture.end;
    // LIVE needs a fragment received in the last 30 s: open its session now, play it later.
    liveUrl = archive.getHLSStreamingSessionURL(b -> b.streamName("cam").playbackMode(HLSPlaybackMode.LIVE))
        .hlsStreamingSessionURL();
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void hlsJsInChromiumPlaysTheStream() throws Exception {
    String url = archive.getHLSStreamingSessionURL(b -> b.streamName("cam").playbackMode(HLSPlaybackMode.ON_DEMAND)
        .hlsFragmentSelector(s -> s.fragmentSelectorType(HLSFragmentSelectorType.PRODUCER_TIMESTAMP)
            .timestampRange(r -> r.startTimestamp(Instant.ofEpochMilli(first)).endTimestamp(Instant.ofEpochMilli(end)))))
        .hlsStreamingSessionURL();
    assertPlays(play("hls", HLS_JS, url));
  }

  @Test
  void hlsJsInChromiumPlaysALiveSession() throws Exception {
    // A live playlist (no end): hls.js starts near its newest fragments and plays on.
    assertPlays(play("hls", HLS_JS, liveUrl));
  }

  @Test
  void dashJsInChromiumPlaysTheStream() throws Exception {
    String url = archive.getDASHStreamingSessionURL(b -> b.streamName("cam").playbackMode(DASHPlaybackMode.ON_DEMAND)
        .dashFragmentSelector(s -> s.fragmentSelectorType(DASHFragmentSelectorType.PRODUCER_TIMESTAMP)
            .timestampRange(r -> r.startTimestamp(Instant.ofEpochMilli(first)).endTimestamp(Instant.ofEpochMilli(end)))))
        .dashStreamingSessionURL();
    assertPlays(play("dash", DASH_JS, url));
  }

  private static void assertPlays(JsonNode result) {
    assertThat(result.path("mseH264").asBoolean())
        .as("Chromium's Media Source Extensions take H.264 in MP4 (%s)", result).isTrue();
    assertThat(result.path("error").isNull()).as("no player error: %s", result).isTrue();
    assertThat(result.path("readyState").asInt()).as("readyState (2 = HAVE_CURRENT_DATA): %s", result)
        .isGreaterThanOrEqualTo(2);
    assertThat(result.path("decodedFrames").asInt()).as("frames decoded: %s", result).isPositive();
    assertThat(result.path("currentTime").asDouble()).as("currentTime advances: %s", result)
        .isGreaterThan(result.path("firstTime").asDouble() + 1.0);
    assertThat(result.path("videoWidth").asInt()).as("%s", result).isEqualTo(640);
    assertThat(result.path("videoHeight").asInt()).as("%s", result).isEqualTo(360);
  }

  /** Serves the page and the player on another loopback port, opens it in Chromium, and returns what the page posted. */
  private static JsonNode play(String player, Path script, String src) throws Exception {
    CompletableFuture<String> result = new CompletableFuture<>();
    HttpServer pages = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    pages.createContext("/player.html", exchange -> send(exchange, "text/html", Files.readAllBytes(BROWSER.resolve("player.html"))));
    pages.createContext("/player.js", exchange -> send(exchange, "text/javascript", Files.readAllBytes(script)));
    pages.createContext("/result", exchange -> {
      result.complete(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      send(exchange, "text/plain", new byte[0]);
    });
    pages.createContext("/favicon.ico", exchange -> send(exchange, "text/plain", new byte[0]));
    pages.start();
    Path profile = Files.createTempDirectory(dir, "chromium-" + player + "-");
    String page = "http://127.0.0.1:" + pages.getAddress().getPort() + "/player.html?player=" + player + "&src="
        + URLEncoder.encode(src, StandardCharsets.UTF_8);
    Process chromium = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--autoplay-policy=no-user-gesture-required", "--mute-audio", "--user-data-dir=" + profile, page)
        .redirectOutput(profile.resolve("chromium.out").toFile())
        .redirectError(profile.resolve("chromium.log").toFile())
        .start();
    try {
      String posted = result.get(120, TimeUnit.SECONDS);
      return new ObjectMapper().readTree(posted);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the page posted no result within 120 s; Chromium said: "
          + Files.readString(profile.resolve("chromium.log")), e);
    } finally {
      chromium.descendants().forEach(ProcessHandle::destroyForcibly);
      chromium.destroyForcibly();
      chromium.waitFor(30, TimeUnit.SECONDS);
      pages.stop(0);
    }
  }

  private static void send(HttpExchange exchange, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
