package dev.freshet.examples.camera;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.examples.ExampleRun;
import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.kinesis.video.VideoFragmentStore;
import dev.freshet.kinesis.video.VideoService;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The camera example end to end on the Direct runner: two cameras' H.264 (made by Debian's ffmpeg:
 * a moving test pattern, and a still grey wall) put into the real server's video service by
 * PutMedia; the pipeline watches each; the alert stream then holds alerts for the moving camera
 * and none for the still one.
 */
class MotionDetectionIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir static Path dir;
  private static LocalStreamStore streams;
  private static KinesisServer server;

  @BeforeAll
  static void start() {
    streams = LocalStreamStore.open(StoreConfig.builder(dir.resolve("streams")).build());
    server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), streams,
        List.of(new VideoService(VideoFragmentStore.open(dir.resolve("video"), Durability.OS))));
  }

  @AfterAll
  static void stop() {
    server.close();
    streams.close();
  }

  @Test
  void alertsForTheMovingCameraOnly() throws Exception {
    camera("door", "testsrc2=size=320x180:rate=10");
    camera("wall", "color=c=gray:size=320x180:rate=10");

    // As freshet run camera-motion runs it: the first run creates the alert stream.
    String door = ExampleRun.run("camera-motion", "--endpoint=" + server.endpoint(), "--videoStream=door",
        "--alertStream=alerts", "--maxFragments=" + fragments("door"));
    String wall = ExampleRun.run("camera-motion", "--endpoint=" + server.endpoint(), "--videoStream=wall",
        "--alertStream=alerts", "--maxFragments=" + fragments("wall"));

    List<String> alerts = readAll("alerts");
    assertThat(alerts).isNotEmpty();
    assertThat(alerts).allSatisfy(alert -> assertThat(alert).contains("\"stream\":\"door\"").contains("\"score\":"));
    assertThat(door).startsWith("created stream alerts for the alerts\n" + alerts.size() + " alerts in stream alerts:\n");
    assertThat(wall).doesNotContain("created stream")
        .isEqualTo(alerts.size() + " alerts in stream alerts:\n" + String.join("\n", alerts.stream().sorted().toList()) + "\n");
  }

  @Test
  void refusesAnEndpointThatIsNotAServer() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ExampleRun.run("camera-motion", "--endpoint=file:" + dir,
            "--videoStream=door", "--alertStream=alerts"))
        .hasMessageContaining("camera-motion reads a Kinesis Video stream from a freshet server");
  }

  /** Four seconds of H.264 from an ffmpeg test source, a key frame every second, put by PutMedia. */
  private static void camera(String name, String source) throws Exception {
    Path file = dir.resolve(name + ".mkv");
    Process ffmpeg = new ProcessBuilder("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-t", "4",
        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "10", "-f", "matroska",
        file.toString()).redirectErrorStream(true).start();
    String output = new String(ffmpeg.getInputStream().readAllBytes(), UTF_8);
    if (!ffmpeg.waitFor(2, TimeUnit.MINUTES) || ffmpeg.exitValue() != 0) {
      throw new IOException("ffmpeg (Debian package ffmpeg, installed by .ci/run) failed: " + output);
    }
    post("/createStream", "{\"StreamName\":\"" + name + "\",\"MediaType\":\"video/h264\",\"DataRetentionInHours\":1}");
    HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(server.endpoint().resolve("/putMedia"))
        .header("x-amzn-stream-name", name)
        .header("x-amzn-fragment-timecode-type", "RELATIVE")
        .POST(BodyPublishers.ofFile(file)).build(), BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(put.body()).contains("PERSISTED").doesNotContain("\"ERROR\"");
  }

  private static int fragments(String name) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(post("/listFragments", "{\"StreamName\":\"" + name + "\"}")).path("Fragments").size();
  }

  private static String post(String path, String body) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.endpoint().resolve(path))
        .header("Content-Type", "application/json").POST(BodyPublishers.ofString(body)).build(),
        BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  private static List<String> readAll(String stream) {
    List<String> data = new ArrayList<>();
    for (Shard shard : streams.listShards(ListShardsRequest.of(stream)).shards()) {
      String iterator = streams.getShardIterator(stream, shard.shardId(), StartingPosition.trimHorizon());
      while (iterator != null) {
        GetRecordsResult page = streams.getRecords(iterator, 1000);
        for (Record record : page.records()) {
          data.add(new String(record.data(), UTF_8));
        }
        iterator = page.records().isEmpty() ? null : page.nextShardIterator();
      }
    }
    return data;
  }
}
