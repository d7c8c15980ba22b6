package dev.freshet.kinesis.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideo.model.APIName;
import software.amazon.awssdk.services.kinesisvideo.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesisvideo.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesisvideo.model.StreamInfo;
import software.amazon.awssdk.services.kinesisvideo.model.UpdateDataRetentionOperation;
import software.amazon.awssdk.services.kinesisvideo.model.VersionMismatchException;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.Fragment;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.FragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.GetMediaForFragmentListResponse;
import software.amazon.awssdk.services.kinesisvideomedia.KinesisVideoMediaClient;
import software.amazon.awssdk.services.kinesisvideomedia.model.GetMediaResponse;
import software.amazon.awssdk.services.kinesisvideomedia.model.StartSelector;
import software.amazon.awssdk.services.kinesisvideomedia.model.StartSelectorType;

/**
 * The Kinesis Video API on a real server over a real store, driven by the AWS SDK v2 Kinesis Video
 * clients (control plane, GetMedia, ListFragments, GetMediaForFragmentList) and by raw HTTP for
 * PutMedia (which the SDKs do not have); GetMedia's output is read back with JCodec's Matroska
 * parser.
 */
class VideoServiceIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long START_MILLIS = 1_700_000_000_000L;

  @TempDir static Path dir;
  @TempDir static Path scratch;
  static LocalStreamStore streams;
  static VideoFragmentStore videos;
  static KinesisServer server;
  static KinesisVideoClient control;
  static KinesisVideoMediaClient media;
  static KinesisVideoArchivedMediaClient archive;
  static HttpClient http;

  @BeforeAll
  static void start() {
    streams = LocalStreamStore.open(StoreConfig.builder(dir.resolve("streams")).build());
    videos = VideoFragmentStore.open(dir.resolve("video"), Durability.OS);
    server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), streams,
        List.of(new VideoService(videos, Duration.ofMillis(700))));
    var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret"));
    control = KinesisVideoClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClient(ApacheHttpClient.create()).build();
    media = KinesisVideoMediaClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClient(ApacheHttpClient.create()).build();
    archive = KinesisVideoArchivedMediaClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClient(ApacheHttpClient.create()).build();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    control.close();
    media.close();
    archive.close();
    server.close(); // closes the video service and its store
    streams.close();
  }

  @Test
  void controlPlaneThroughTheSdk() {
    String arn = control.createStream(b -> b.streamName("cam-control").mediaType("video/h264")
        .deviceName("door").dataRetentionInHours(2)).streamARN();
    assertThat(arn).startsWith("arn:aws:kinesisvideo:us-east-1:000000000000:stream/cam-control/");
    StreamInfo info = control.describeStream(b -> b.streamName("cam-control")).streamInfo();
    assertThat(info.streamARN()).isEqualTo(arn);
    assertThat(info.dataRetentionInHours()).isEqualTo(2);
    assertThat(info.mediaType()).isEqualTo("video/h264");
    assertThat(info.deviceName()).isEqualTo("door");
    assertThat(info.statusAsString()).isEqualTo("ACTIVE");
    assertThat(info.creationTime()).isBefore(Instant.now().plusSeconds(1));
    assertThat(control.describeStream(b -> b.streamARN(arn)).streamInfo().streamName()).isEqualTo("cam-control");

    assertThat(control.listStreams(b -> b.streamNameCondition(c -> c.comparisonOperator("BEGINS_WITH")
        .comparisonValue("cam-cont"))).streamInfoList()).extracting(StreamInfo::streamName).containsExactly("cam-control");

    control.updateDataRetention(b -> b.streamName("cam-control").currentVersion(info.version())
        .operation(UpdateDataRetentionOperation.INCREASE_DATA_RETENTION).dataRetentionChangeInHours(22));
    StreamInfo updated = control.describeStream(b -> b.streamName("cam-control")).streamInfo();
    assertThat(updated.dataRetentionInHours()).isEqualTo(24);
    assertThat(updated.version()).isNotEqualTo(info.version());
    assertThatThrownBy(() -> control.updateDataRetention(b -> b.streamName("cam-control")
        .currentVersion(info.version()).operation(UpdateDataRetentionOperation.DECREASE_DATA_RETENTION)
        .dataRetentionChangeInHours(1))).isInstanceOf(VersionMismatchException.class);

    String endpoint = control.getDataEndpoint(b -> b.streamName("cam-control").apiName(APIName.GET_MEDIA)).dataEndpoint();
    assertThat(URI.create(endpoint).getPort()).isEqualTo(server.address().getPort());

    assertThatThrownBy(() -> control.createStream(b -> b.streamName("cam-control")))
        .isInstanceOf(ResourceInUseException.class);
    assertThatThrownBy(() -> control.describeStream(b -> b.streamName("no-such-camera")))
        .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("no-such-camera");
    assertThatThrownBy(() -> control.createStream(b -> b.streamName("bad name!")))
        .isInstanceOf(software.amazon.awssdk.services.kinesisvideo.model.InvalidArgumentException.class)
        .hasMessageContaining("StreamName");

    control.deleteStream(b -> b.streamARN(arn).currentVersion(updated.version()));
    assertThatThrownBy(() -> control.describeStream(b -> b.streamName("cam-control")))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void putMediaThenGetMediaRoundTripsTheFragments() throws Exception {
    control.createStream(b -> b.streamName("cam-round-trip").dataRetentionInHours(1));
    byte[] input = TestMkv.capture("clusters.mkv");
    List<JsonNode> acks = putMedia("cam-round-trip", input, "RELATIVE", START_MILLIS);
    List<JsonNode> persisted = acks.stream().filter(a -> a.path("EventType").asText().equals("PERSISTED")).toList();
    assertThat(persisted).hasSize(8);
    assertThat(acks).hasSize(24); // BUFFERING, RECEIVED, PERSISTED per fragment
    assertThat(acks.stream().map(a -> a.path("EventType").asText()).toList().subList(0, 3))
        .containsExactly("BUFFERING", "RECEIVED", "PERSISTED");
    List<String> numbers = persisted.stream().map(a -> a.path("FragmentNumber").asText()).toList();
    assertThat(numbers).isSorted().doesNotHaveDuplicates();
    assertThat(persisted.stream().map(a -> a.path("FragmentTimecode").asLong()).toList())
        .containsExactly(0L, 1999L, 3999L, 5998L, 7998L, 9998L, 11997L, 13997L);

    // GetMedia from the start, read back with JCodec: one document per fragment, the same frames.
    List<TestMkv.Document> sent = TestMkv.parse(input, scratch);
    List<TestMkv.Document> got = getMedia("cam-round-trip", StartSelector.builder()
        .startSelectorType(StartSelectorType.EARLIEST).build());
    assertThat(got).hasSize(8);
    for (int i = 0; i < 8; i++) {
      TestMkv.Document document = got.get(i);
      assertThat(document.tag("AWS_KINESISVIDEO_FRAGMENT_NUMBER")).isEqualTo(numbers.get(i));
      assertThat(document.tag("AWS_KINESISVIDEO_CONTINUATION_TOKEN")).isEqualTo(numbers.get(i));
      assertThat(document.tag("AWS_KINESISVIDEO_PRODUCER_TIMESTAMP"))
          .isEqualTo(MkvOutput.seconds(START_MILLIS + sent.get(i).clusterTimecode()));
      assertThat(document.tag("AWS_KINESISVIDEO_SERVER_TIMESTAMP")).matches("\\d{10}\\.\\d{3}");
      assertThat(document.clusterTimecode()).isEqualTo(sent.get(i).clusterTimecode());
      assertThat(document.blocks()).hasSameSizeAs(sent.get(i).blocks());
      for (int b = 0; b < document.blocks().size(); b++) {
        assertThat(document.blocks().get(b)).as("fragment %s block %s", i, b).isEqualTo(sent.get(i).blocks().get(b));
      }
    }

    // The other start selectors.
    assertThat(getMedia("cam-round-trip", StartSelector.builder().startSelectorType(StartSelectorType.FRAGMENT_NUMBER)
        .afterFragmentNumber(numbers.get(5)).build())).extracting(d -> d.tag("AWS_KINESISVIDEO_FRAGMENT_NUMBER"))
        .containsExactlyElementsOf(numbers.subList(5, 8));
    assertThat(getMedia("cam-round-trip", StartSelector.builder().startSelectorType(StartSelectorType.CONTINUATION_TOKEN)
        .continuationToken(numbers.get(5)).build())).extracting(d -> d.tag("AWS_KINESISVIDEO_FRAGMENT_NUMBER"))
        .containsExactlyElementsOf(numbers.subList(6, 8));
    assertThat(getMedia("cam-round-trip", StartSelector.builder().startSelectorType(StartSelectorType.PRODUCER_TIMESTAMP)
        .startTimestamp(Instant.ofEpochMilli(START_MILLIS + 9000)).build()))
        .extracting(d -> d.tag("AWS_KINESISVIDEO_FRAGMENT_NUMBER")).containsExactlyElementsOf(numbers.subList(5, 8));
    List<FragmentInfo> stored = videos.listFragments("cam-round-trip");
    // Several fragments may share a server millisecond: the first of them is where it starts.
    long serverTime = stored.get(7).serverTimestampMillis();
    int firstAtServerTime = 0;
    while (stored.get(firstAtServerTime).serverTimestampMillis() < serverTime) {
      firstAtServerTime++;
    }
    assertThat(getMedia("cam-round-trip", StartSelector.builder().startSelectorType(StartSelectorType.SERVER_TIMESTAMP)
        .startTimestamp(Instant.ofEpochMilli(serverTime)).build()))
        .extracting(d -> d.tag("AWS_KINESISVIDEO_FRAGMENT_NUMBER"))
        .containsExactlyElementsOf(numbers.subList(firstAtServerTime, 8));

    // ListFragments by producer time, and GetMediaForFragmentList.
    List<Fragment> listed = archive.listFragments(b -> b.streamName("cam-round-trip").fragmentSelector(s -> s
        .fragmentSelectorType(FragmentSelectorType.PRODUCER_TIMESTAMP).timestampRange(r -> r
            .startTimestamp(Instant.ofEpochMilli(START_MILLIS + 1000))
            .endTimestamp(Instant.ofEpochMilli(START_MILLIS + 6000))))).fragments();
    assertThat(listed).extracting(Fragment::fragmentNumber).containsExactlyElementsOf(numbers.subList(1, 4));
    assertThat(listed.get(0).producerTimestamp()).isEqualTo(Instant.ofEpochMilli(START_MILLIS + 1999));
    assertThat(listed.get(0).fragmentSizeInBytes()).isPositive();
    assertThat(listed.get(0).fragmentLengthInMilliseconds()).isBetween(1900L, 2100L);
    ResponseBytes<GetMediaForFragmentListResponse> list = archive.getMediaForFragmentList(b -> b
        .streamName("cam-round-trip").fragments(numbers.get(2), numbers.get(0)), ResponseTransformer.toBytes());
    List<TestMkv.Document> listedMedia = TestMkv.parse(list.asByteArray(), scratch);
    assertThat(listedMedia).extracting(d -> d.tag("AWS_KINESISVIDEO_FRAGMENT_NUMBER"))
        .containsExactly(numbers.get(2), numbers.get(0));
    assertThat(listedMedia.get(0).blocks().get(0)).isEqualTo(sent.get(2).blocks().get(0));
  }

  @Test
  void theRealGetMediaCaptureGoesBackIn() throws Exception {
    control.createStream(b -> b.streamName("cam-capture"));
    byte[] capture = TestMkv.capture("output_get_media.mkv");
    List<JsonNode> acks = putMedia("cam-capture", capture, "RELATIVE", START_MILLIS);
    assertThat(acks).filteredOn(a -> a.path("EventType").asText().equals("PERSISTED")).hasSize(5);
    List<TestMkv.Document> original = TestMkv.parse(capture, scratch);
    List<TestMkv.Document> got = getMedia("cam-capture", StartSelector.builder()
        .startSelectorType(StartSelectorType.EARLIEST).build());
    assertThat(got).hasSize(5);
    for (int i = 0; i < 5; i++) {
      // The service's old tags are replaced by this store's own, once each.
      assertThat(got.get(i).tags()).filteredOn(t -> t[0].equals("AWS_KINESISVIDEO_FRAGMENT_NUMBER")).hasSize(1);
      assertThat(got.get(i).tag("AWS_KINESISVIDEO_FRAGMENT_NUMBER")).startsWith(FragmentNumbers.PREFIX);
      assertThat(got.get(i).tag("ENCODER")).isEqualTo("Lavf57.71.100");
      assertThat(got.get(i).blocks()).hasSize(60);
      assertThat(got.get(i).blocks().get(59)).isEqualTo(original.get(i).blocks().get(59));
    }
    // Clusters of unknown size (MJPEG), as a live producer sends them.
    control.createStream(b -> b.streamName("cam-unknown-size"));
    List<JsonNode> unknown = putMedia("cam-unknown-size", TestMkv.capture("test_mixed_tags.mkv"), "ABSOLUTE", null);
    assertThat(unknown).noneMatch(a -> a.path("EventType").asText().equals("ERROR"));
    assertThat(videos.listFragments("cam-unknown-size")).isNotEmpty();
  }

  @Test
  void getMediaFromNowWaitsForNewFragments() throws Exception {
    control.createStream(b -> b.streamName("cam-live"));
    putMedia("cam-live", TestMkv.concat(TestMkv.header(true), TestMkv.cluster(0, 100, 0, 33)), "RELATIVE", START_MILLIS);
    // The answer's head comes once the start position is fixed: only what is put after it follows.
    HttpResponse<java.io.InputStream> live = http.send(HttpRequest.newBuilder(server.endpoint().resolve("/getMedia"))
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString("{\"StreamName\":\"cam-live\",\"StartSelector\":{\"StartSelectorType\":\"NOW\"}}"))
        .build(), BodyHandlers.ofInputStream());
    assertThat(live.statusCode()).isEqualTo(200);
    List<String> persisted = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      putMedia("cam-live", TestMkv.concat(TestMkv.header(true), TestMkv.cluster(i * 100, 100, 0, 33)),
          "RELATIVE", START_MILLIS).stream().filter(a -> a.path("EventType").asText().equals("PERSISTED"))
          .forEach(a -> persisted.add(a.path("FragmentNumber").asText()));
    }
    byte[] media;
    try (java.io.InputStream body = live.body()) {
      media = body.readAllBytes(); // ends once no fragment has come for the idle timeout
    }
    List<TestMkv.Document> got = TestMkv.parse(media, scratch);
    assertThat(got).extracting(d -> d.tag("AWS_KINESISVIDEO_FRAGMENT_NUMBER")).containsExactlyElementsOf(persisted);
    assertThat(got).extracting(TestMkv.Document::clusterTimecode).containsExactly(100L, 200L, 300L);
  }

  @Test
  void badMediaGetsTheServicesErrorAndStoresNothing() throws Exception {
    control.createStream(b -> b.streamName("cam-bad"));
    byte[] good = TestMkv.concat(TestMkv.header(true), TestMkv.cluster(1000, 50, 0, 33));
    assertThat(errorOf(putMedia("cam-bad", good, "RELATIVE", START_MILLIS))).isNull();
    List<FragmentInfo> before = videos.listFragments("cam-bad");
    assertThat(before).hasSize(1);

    JsonNode notMkv = errorOf(putMedia("cam-bad", "this is not a video".getBytes(), "RELATIVE", START_MILLIS));
    assertThat(notMkv.path("ErrorId").asInt()).isEqualTo(4006);
    assertThat(notMkv.path("ErrorCode").asText()).isEqualTo("INVALID_MKV_DATA");
    assertThat(notMkv.path("Message").asText()).contains("not Matroska");

    JsonNode noPrivate = errorOf(putMedia("cam-bad", TestMkv.concat(TestMkv.header(false),
        TestMkv.cluster(0, 50, 0)), "RELATIVE", START_MILLIS));
    assertThat(noPrivate.path("ErrorId").asInt()).isEqualTo(4006);
    assertThat(noPrivate.path("Message").asText()).contains("codec private data");

    List<JsonNode> backwards = putMedia("cam-bad", TestMkv.concat(TestMkv.header(true),
        TestMkv.cluster(5000, 50, 0), TestMkv.cluster(4000, 50, 0)), "RELATIVE", START_MILLIS);
    assertThat(backwards).filteredOn(a -> a.path("EventType").asText().equals("PERSISTED")).hasSize(1);
    assertThat(errorOf(backwards).path("ErrorId").asInt()).isEqualTo(4004);
    assertThat(errorOf(backwards).path("FragmentTimecode").asLong()).isEqualTo(4000);

    JsonNode tooLong = errorOf(putMedia("cam-bad", TestMkv.concat(TestMkv.header(true),
        TestMkv.cluster(9000, 50, 0, 5000, 10_500)), "RELATIVE", START_MILLIS));
    assertThat(tooLong.path("ErrorId").asInt()).isEqualTo(4002);
    assertThat(tooLong.path("ErrorCode").asText()).isEqualTo("MAX_FRAGMENT_DURATION_REACHED");

    // A cluster announcing 60 MB: refused from its header, before its bytes are read.
    java.io.ByteArrayOutputStream huge = new java.io.ByteArrayOutputStream();
    huge.writeBytes(TestMkv.header(true));
    Ebml.writeId(huge, Ebml.CLUSTER);
    Ebml.writeSize(huge, 60_000_000);
    huge.writeBytes(new byte[1000]);
    JsonNode tooBig = errorOf(putMedia("cam-bad", huge.toByteArray(), "RELATIVE", START_MILLIS));
    assertThat(tooBig.path("ErrorId").asInt()).isEqualTo(4001);

    List<FragmentInfo> after = videos.listFragments("cam-bad");
    assertThat(after).hasSize(2); // the good one, and the fragment before the one going backwards
    assertThat(after.get(0)).isEqualTo(before.get(0));

    // Errors before any media: the service's HTTP errors.
    HttpResponse<String> missing = http.send(putRequest("no-such-camera", good, "RELATIVE", null), BodyHandlers.ofString());
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().firstValue("x-amzn-ErrorType")).hasValue("ResourceNotFoundException");
    HttpResponse<String> noType = http.send(putRequest("cam-bad", good, "SOMETIMES", null), BodyHandlers.ofString());
    assertThat(noType.statusCode()).isEqualTo(400);
    assertThat(noType.body()).contains("InvalidArgumentException").contains("x-amzn-fragment-timecode-type");
  }

  // ---- helpers ----

  static List<TestMkv.Document> getMedia(String stream, StartSelector selector) throws IOException {
    ResponseBytes<GetMediaResponse> bytes = media.getMedia(b -> b.streamName(stream).startSelector(selector),
        ResponseTransformer.toBytes());
    assertThat(bytes.response().contentType()).isEqualTo("video/webm");
    return TestMkv.parse(bytes.asByteArray(), scratch);
  }

  static HttpRequest putRequest(String stream, byte[] body, String timecodeType, Long startMillis) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(server.endpoint().resolve("/putMedia"))
        .header("x-amzn-stream-name", stream)
        .header("x-amzn-fragment-timecode-type", timecodeType)
        // A body of unknown length goes chunked, as producers send it.
        .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
    if (startMillis != null) {
      builder.header("x-amzn-producer-start-timestamp", MkvOutput.seconds(startMillis));
    }
    return builder.build();
  }

  static List<JsonNode> putMedia(String stream, byte[] body, String timecodeType, Long startMillis) throws Exception {
    HttpResponse<String> response = http.send(putRequest(stream, body, timecodeType, startMillis), BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<JsonNode> acks = new ArrayList<>();
    for (String line : response.body().split("\n")) {
      if (!line.isBlank()) {
        acks.add(JSON.readTree(line));
      }
    }
    return acks;
  }

  static JsonNode errorOf(List<JsonNode> acks) {
    List<JsonNode> errors = acks.stream().filter(a -> a.path("EventType").asText().equals("ERROR")).toList();
    assertThat(errors.size()).isLessThanOrEqualTo(1);
    return errors.isEmpty() ? null : errors.get(0);
  }
}
