package dev.freshet.transforms.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.kinesis.video.VideoFragmentStore;
import dev.freshet.kinesis.video.VideoService;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.UnboundedSource.UnboundedReader;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link VideoIO} against the real server and its Kinesis Video service on a loopback port, with
 * media put through PutMedia over HTTP: the source contract (checkpoint, encode, resume: nothing
 * lost or repeated), reading from now, and put → read → decode on the Direct runner.
 */
class VideoIOIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir static Path dir;
  private static LocalStreamStore streams;
  private static KinesisServer server;

  @BeforeAll
  static void start() {
    streams = LocalStreamStore.open(StoreConfig.builder(dir.resolve("streams")).build());
    VideoFragmentStore videos = VideoFragmentStore.open(dir.resolve("video"), Durability.OS);
    server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), streams,
        List.of(new VideoService(videos)));
  }

  @AfterAll
  static void stop() {
    server.close();
    streams.close();
  }

  static void createStream(String name) throws Exception {
    post("/createStream", "{\"StreamName\":\"" + name + "\",\"MediaType\":\"video/h264\",\"DataRetentionInHours\":24}");
  }

  /** PutMedia with the capture's clusters (8 fragments), as a producer sends it: chunked. */
  static void putCapture(String name) throws Exception {
    byte[] media = KvsCaptures.bytes("clusters.mkv");
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.endpoint().resolve("/putMedia"))
        .header("x-amzn-stream-name", name)
        .header("x-amzn-fragment-timecode-type", "RELATIVE")
        .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(media)))
        .build(), BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).contains("PERSISTED").doesNotContain("\"ERROR\"");
  }

  static String post(String path, String body) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.endpoint().resolve(path))
        .header("Content-Type", "application/json").POST(BodyPublishers.ofString(body)).build(),
        BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  static List<String> listedNumbers(String name) throws Exception {
    List<String> numbers = new ArrayList<>();
    JSON.readTree(post("/listFragments", "{\"StreamName\":\"" + name + "\"}")).path("Fragments")
        .forEach(f -> numbers.add(f.path("FragmentNumber").asText()));
    numbers.sort((a, b) -> new BigInteger(a).compareTo(new BigInteger(b)));
    return numbers;
  }

  private static VideoIO.Read read(String name) {
    return VideoIO.read().withEndpoint(server.endpoint()).withStreamName(name).withPollInterval(Duration.ofMillis(10));
  }

  @Test
  void resumesFromAnEncodedCheckpointWithNothingLostOrRepeated() throws Exception {
    createStream("cam-checkpoint");
    putCapture("cam-checkpoint");
    List<String> all = listedNumbers("cam-checkpoint");
    assertThat(all).hasSize(8);

    PipelineOptions options = PipelineOptionsFactory.create();
    VideoSource source = new VideoSource(read("cam-checkpoint"));
    List<String> seen = new ArrayList<>();
    VideoCheckpointMark mark;
    try (UnboundedReader<VideoFragment> reader = source.createReader(options, null)) {
      assertThat(reader.start()).isTrue();
      seen.add(reader.getCurrent().fragmentNumber());
      for (int i = 0; i < 2; i++) {
        assertThat(reader.advance()).isTrue();
        seen.add(reader.getCurrent().fragmentNumber());
      }
      assertThat(reader.getWatermark().getMillis())
          .isEqualTo(reader.getCurrent().producerTimestamp().toEpochMilli());
      mark = CoderUtils.clone(source.getCheckpointMarkCoder(), (VideoCheckpointMark) reader.getCheckpointMark());
    }
    try (UnboundedReader<VideoFragment> resumed = source.createReader(options, mark)) {
      for (boolean more = resumed.start(); more; more = resumed.advance()) {
        VideoFragment fragment = resumed.getCurrent();
        assertThat(fragment.mkv()).isNotEmpty();
        seen.add(fragment.fragmentNumber());
      }
    }
    assertThat(seen).isEqualTo(all);
    assertThat(new HashSet<>(seen)).hasSize(seen.size());
  }

  @Test
  void readingFromNowSkipsWhatWasAlreadyThere() throws Exception {
    createStream("cam-now");
    putCapture("cam-now");
    List<String> before = listedNumbers("cam-now");
    VideoSource source = new VideoSource(read("cam-now").withStartingPosition(VideoIO.StartingPosition.NOW));
    try (UnboundedReader<VideoFragment> reader = source.createReader(PipelineOptionsFactory.create(), null)) {
      assertThat(reader.start()).isFalse();
      putCapture("cam-now");
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      boolean got = false;
      while (!got && System.nanoTime() < deadline) {
        got = reader.advance();
        if (!got) {
          Thread.sleep(20);
        }
      }
      assertThat(got).as("a fragment put after the reader started").isTrue();
      assertThat(before).doesNotContain(reader.getCurrent().fragmentNumber());
      assertThat(new BigInteger(reader.getCurrent().fragmentNumber()))
          .isGreaterThan(new BigInteger(before.get(before.size() - 1)));
    }
  }

  @Test
  void putThenReadThenDecodeOnTheDirectRunner() throws Exception {
    createStream("cam-pipeline");
    putCapture("cam-pipeline");
    // Two fragments keep the Direct runner's copies of every decoded frame small. ffprobe reads
    // the same two fragments, as GetMediaForFragmentList returns them, for the expected count.
    List<String> firstTwo = listedNumbers("cam-pipeline").subList(0, 2);
    HttpResponse<byte[]> media = HTTP.send(HttpRequest.newBuilder(server.endpoint().resolve("/getMediaForFragmentList"))
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString("{\"StreamName\":\"cam-pipeline\",\"Fragments\":[\"" + firstTwo.get(0)
            + "\",\"" + firstTwo.get(1) + "\"]}"))
        .build(), BodyHandlers.ofByteArray());
    Path twoFragments = java.nio.file.Files.write(dir.resolve("two-fragments.mkv"), media.body());
    int frames = KvsCaptures.ffprobeFrameMillis(twoFragments).size();
    assertThat(frames).isGreaterThan(0);

    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs("--targetParallelism=2").create());
    DecodeVideo.Result decoded = pipeline
        .apply(read("cam-pipeline").withMaxNumFragments(2))
        .apply(DecodeVideo.frames());
    PAssert.thatSingleton(decoded.frames().apply(Count.globally())).isEqualTo((long) frames);
    PAssert.that(decoded.failures()).empty();
    assertThat(pipeline.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
  }

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(() -> VideoIO.read().withEndpoint(java.net.URI.create("file:///tmp")))
        .hasMessageContaining("endpoint must be an http:// or https:// URI");
    assertThatThrownBy(() -> VideoIO.read().withPollInterval(Duration.ofHours(1)))
        .hasMessageContaining("pollInterval must be between 10 ms and 1 min");
    assertThatThrownBy(() -> Pipeline.create().apply(VideoIO.read().withStreamName("x")))
        .hasMessageContaining("needs withEndpoint");
  }
}
