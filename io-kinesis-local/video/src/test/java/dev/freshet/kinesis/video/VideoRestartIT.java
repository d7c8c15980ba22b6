package dev.freshet.kinesis.video;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.server.ServerCredentials;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideomedia.KinesisVideoMediaClient;
import software.amazon.awssdk.services.kinesisvideomedia.model.StartSelectorType;

/**
 * A server that requires SigV4 signatures: the SDK's Kinesis Video clients sign as {@code
 * kinesisvideo}, PutMedia is signed by the SDK's signer with an unsigned (streamed) payload, an
 * unsigned PutMedia is refused; and after a restart on the same data folder the fragments are all
 * there, byte for byte.
 */
class VideoRestartIT {
  @TempDir Path dir;
  @TempDir Path scratch;

  private static final AwsBasicCredentials KEYS = AwsBasicCredentials.create("video-key", "video-secret");

  private KinesisServer start(LocalStreamStore streams) {
    VideoFragmentStore videos = VideoFragmentStore.open(dir.resolve("video"), Durability.FSYNC);
    return KinesisServer.start(ServerConfig.builder().setPort(0)
        .setCredentials(ServerCredentials.of(Map.of("video-key", "video-secret"))).build(), streams,
        List.of(new VideoService(videos, java.time.Duration.ofMillis(500))));
  }

  private static byte[] getMediaEarliest(KinesisServer server, String stream) {
    try (KinesisVideoMediaClient media = KinesisVideoMediaClient.builder().endpointOverride(server.endpoint())
        .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(KEYS))
        .httpClient(ApacheHttpClient.create()).build()) {
      return media.getMedia(b -> b.streamName(stream).startSelector(s -> s.startSelectorType(StartSelectorType.EARLIEST)),
          ResponseTransformer.toBytes()).asByteArray();
    }
  }

  @Test
  void signedPutMediaAndFragmentsAfterARestart() throws Exception {
    byte[] input = TestMkv.capture("clusters.mkv");
    byte[] firstRead;
    try (LocalStreamStore streams = LocalStreamStore.open(StoreConfig.builder(dir.resolve("streams")).build())) {
      try (KinesisServer server = start(streams)) {
        try (KinesisVideoClient control = KinesisVideoClient.builder().endpointOverride(server.endpoint())
            .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(KEYS))
            .httpClient(ApacheHttpClient.create()).build()) {
          control.createStream(b -> b.streamName("cam-restart").dataRetentionInHours(24));
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        SdkHttpRequest unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
            .uri(server.endpoint().resolve("/putMedia"))
            .putHeader("x-amzn-stream-name", "cam-restart")
            .putHeader("x-amzn-fragment-timecode-type", "RELATIVE")
            .putHeader("x-amzn-producer-start-timestamp", "1700000000.000")
            .build();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(KEYS).request(unsigned)
            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kinesisvideo")
            .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
            .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false));
        HttpRequest.Builder put = HttpRequest.newBuilder(server.endpoint().resolve("/putMedia"))
            .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(input)));
        signed.request().forEachHeader((name, values) -> {
          if (!name.equalsIgnoreCase("Host")) {
            values.forEach(value -> put.header(name, value));
          }
        });
        HttpResponse<String> acks = http.send(put.build(), BodyHandlers.ofString());
        assertThat(acks.statusCode()).as(acks.body()).isEqualTo(200);
        assertThat(acks.body().lines().filter(l -> l.contains("PERSISTED")).count()).isEqualTo(8);

        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(server.endpoint().resolve("/putMedia"))
            .header("x-amzn-stream-name", "cam-restart").header("x-amzn-fragment-timecode-type", "RELATIVE")
            .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(input))).build(), BodyHandlers.ofString());
        assertThat(refused.statusCode()).isBetween(400, 403);
        assertThat(refused.body()).contains("MissingAuthenticationToken");

        firstRead = getMediaEarliest(server, "cam-restart");
      }
    }
    assertThat(TestMkv.parse(firstRead, scratch)).hasSize(8);

    try (LocalStreamStore streams = LocalStreamStore.open(StoreConfig.builder(dir.resolve("streams")).build());
        KinesisServer server = start(streams)) {
      byte[] again = getMediaEarliest(server, "cam-restart");
      List<TestMkv.Document> before = TestMkv.parse(firstRead, scratch);
      List<TestMkv.Document> after = TestMkv.parse(again, scratch);
      assertThat(after).hasSize(8);
      for (int i = 0; i < 8; i++) {
        assertThat(after.get(i).tag("AWS_KINESISVIDEO_FRAGMENT_NUMBER"))
            .isEqualTo(before.get(i).tag("AWS_KINESISVIDEO_FRAGMENT_NUMBER"));
        assertThat(after.get(i).tag("AWS_KINESISVIDEO_SERVER_TIMESTAMP"))
            .isEqualTo(before.get(i).tag("AWS_KINESISVIDEO_SERVER_TIMESTAMP"));
        assertThat(after.get(i).blocks()).hasSameSizeAs(before.get(i).blocks());
        for (int b = 0; b < after.get(i).blocks().size(); b++) {
          assertThat(after.get(i).blocks().get(b)).isEqualTo(before.get(i).blocks().get(b));
        }
      }
    }
  }

  @Test
  void playbackNeedsOnlyTheSessionTokenAndARestartEndsSessions() throws Exception {
    String url;
    String segment;
    try (LocalStreamStore streams = LocalStreamStore.open(StoreConfig.builder(dir.resolve("streams")).build())) {
      try (VideoFragmentStore videos = VideoFragmentStore.open(dir.resolve("video"), Durability.FSYNC)) {
        videos.createStream("cam-hls", null, "video/h264", 24);
        MediaIngest.run(videos, "cam-hls", new ByteArrayInputStream(TestMkv.capture("clusters.mkv")),
            MediaIngest.TimecodeType.RELATIVE, null, ack -> { });
      }
      HttpClient http = HttpClient.newHttpClient();
      try (KinesisServer server = start(streams);
          var archive = software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient
              .builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
              .credentialsProvider(StaticCredentialsProvider.create(KEYS)).httpClient(ApacheHttpClient.create())
              .build()) {
        url = archive.getHLSStreamingSessionURL(b -> b.streamName("cam-hls").playbackMode("ON_DEMAND")
            .hlsFragmentSelector(f -> f.fragmentSelectorType("SERVER_TIMESTAMP").timestampRange(r -> r
                .startTimestamp(java.time.Instant.now().minusSeconds(3600))
                .endTimestamp(java.time.Instant.now().plusSeconds(60))))).hlsStreamingSessionURL();
        // Players send no signature: the session token is the credential.
        HttpResponse<String> master = http.send(HttpRequest.newBuilder(java.net.URI.create(url)).GET().build(),
            BodyHandlers.ofString());
        assertThat(master.statusCode()).as(master.body()).isEqualTo(200);
        String mediaUri = master.body().lines().filter(l -> l.startsWith("getHLSMediaPlaylist")).findFirst().orElseThrow();
        String media = http.send(HttpRequest.newBuilder(java.net.URI.create(url).resolve(mediaUri)).GET().build(),
            BodyHandlers.ofString()).body();
        segment = java.net.URI.create(url).resolve(media.lines().filter(l -> l.startsWith("getMP4MediaFragment"))
            .findFirst().orElseThrow()).toString();
        HttpResponse<byte[]> fragment = http.send(HttpRequest.newBuilder(java.net.URI.create(segment)).GET().build(),
            BodyHandlers.ofByteArray());
        assertThat(fragment.statusCode()).isEqualTo(200);
        assertThat(new String(fragment.body(), 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("moof");
        // A wrong token is the video service's refusal; anything else unsigned is still refused.
        HttpResponse<String> forged = http.send(HttpRequest.newBuilder(java.net.URI.create(
            url.replaceAll("SessionToken=.*", "SessionToken=forged"))).GET().build(), BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.body()).contains("NotAuthorizedException");
        HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(server.endpoint().resolve("/listFragments"))
            .POST(BodyPublishers.ofString("{\"StreamName\":\"cam-hls\"}")).build(), BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).isBetween(400, 403);
        assertThat(unsigned.body()).contains("MissingAuthenticationToken");
      }
      // Sessions live in the server's memory: a restarted server does not know the token.
      try (KinesisServer server = start(streams)) {
        String again = url.replaceFirst("http://[^/]+", server.endpoint().toString());
        HttpResponse<String> gone = http.send(HttpRequest.newBuilder(java.net.URI.create(again)).GET().build(),
            BodyHandlers.ofString());
        assertThat(gone.statusCode()).isEqualTo(401);
      }
    }
  }
}
