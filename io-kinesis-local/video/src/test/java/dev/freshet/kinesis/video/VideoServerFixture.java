package dev.freshet.kinesis.video;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.log.LogConfig;
import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;

/**
 * A real server with the Kinesis Video service over a real fragment store in a temp folder, the
 * AWS SDK v2 control-plane and archived-media clients pointed at it, and the real GetMedia capture
 * (640×360 H.264, 5 fragments of 2 s at 30 frames/s) put into stream {@code cam}: the set-up the
 * playback, archived-media and browser ITs share.
 */
final class VideoServerFixture implements AutoCloseable {
  /** The producer start timestamp the capture is put with, in seconds. */
  static final long PRODUCER_START_SECONDS = 1_700_000_000L;

  final LocalStreamStore streams;
  final VideoFragmentStore videos;
  final KinesisServer server;
  final KinesisVideoClient control;
  final KinesisVideoArchivedMediaClient archive;
  /** The capture's fragments, as stored. */
  final List<FragmentInfo> fragments;
  /** The producer timestamp of the capture's first fragment, and of the end of its last. */
  final long first;
  final long end;

  private VideoServerFixture(Path dir, Clock clock) throws Exception {
    streams = LocalStreamStore.open(StoreConfig.builder(dir.resolve("streams")).build());
    videos = VideoFragmentStore.open(dir.resolve("video"),
        LogConfig.builder().setDurability(Durability.OS).build(), clock, "us-east-1", "000000000000");
    server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), streams, List.of(new VideoService(videos)));
    var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret"));
    control = KinesisVideoClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClient(ApacheHttpClient.create()).build();
    archive = KinesisVideoArchivedMediaClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClient(ApacheHttpClient.create()).build();
    control.createStream(b -> b.streamName("cam").dataRetentionInHours(24));
    put("cam", TestMkv.capture("output_get_media.mkv"));
    fragments = videos.listFragments("cam");
    assertThat(fragments).hasSize(5);
    first = fragments.get(0).producerTimestampMillis();
    FragmentInfo last = fragments.get(4);
    end = last.producerTimestampMillis() + last.durationMillis();
    assertThat(end - first).isBetween(9_900L, 10_100L);
  }

  /** Starts everything on the system clock. */
  static VideoServerFixture start(Path dir) throws Exception {
    return new VideoServerFixture(dir, Clock.systemUTC());
  }

  /** Starts everything with the fragment store on {@code clock} (for retention and LIVE windows). */
  static VideoServerFixture start(Path dir, Clock clock) throws Exception {
    return new VideoServerFixture(dir, clock);
  }

  /** PutMedia of {@code media} into {@code stream}, relative timecodes; fails the test on an ERROR ack. */
  void put(String stream, byte[] media) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(server.endpoint().resolve("/putMedia"))
        .header("x-amzn-stream-name", stream).header("x-amzn-fragment-timecode-type", "RELATIVE")
        .header("x-amzn-producer-start-timestamp", Long.toString(PRODUCER_START_SECONDS))
        .POST(HttpRequest.BodyPublishers.ofByteArray(media)).build();
    HttpResponse<String> response = HttpClient.newHttpClient().send(request, BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).doesNotContain("\"ERROR\"");
  }

  @Override
  public void close() {
    control.close();
    archive.close();
    server.close();
    streams.close();
  }
}
