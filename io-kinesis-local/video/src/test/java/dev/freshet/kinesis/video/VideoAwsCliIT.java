package dev.freshet.kinesis.video;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.server.AwsCli;
import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aws CLI's {@code kinesisvideo} and {@code kinesis-video-media} commands against the server,
 * with only {@code --endpoint-url} changed. Needs the aws CLI v2 ({@link AwsCli}; {@code .ci/run} installs
 * the Debian package awscli): {@code /usr/bin/aws}, {@code -Dfreshet.awsCli=PATH}, or the first on
 * PATH.
 */
class VideoAwsCliIT {
  @TempDir Path dir;

  private static JsonNode ok(AwsCli cli, KinesisServer server, String... args) throws Exception {
    return cli.ok(server.endpoint().toString(), args);
  }

  @Test
  void kinesisvideoCommandsWorkWithOnlyTheEndpointChanged() throws Exception {
    AwsCli cli = AwsCli.find(dir);
    try (LocalStreamStore streams = LocalStreamStore.open(StoreConfig.builder(dir.resolve("streams")).build())) {
      VideoFragmentStore videos = VideoFragmentStore.open(dir.resolve("video"), Durability.OS);
      try (KinesisServer server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), streams,
          List.of(new VideoService(videos, java.time.Duration.ofMillis(300))))) {
        String arn = ok(cli, server, "kinesisvideo", "create-stream", "--stream-name", "cli-cam",
            "--media-type", "video/h264", "--data-retention-in-hours", "2").path("StreamARN").asText();
        assertThat(arn).contains(":stream/cli-cam/");
        JsonNode info = ok(cli, server, "kinesisvideo", "describe-stream", "--stream-name", "cli-cam").path("StreamInfo");
        assertThat(info.path("StreamARN").asText()).isEqualTo(arn);
        assertThat(info.path("DataRetentionInHours").asInt()).isEqualTo(2);
        assertThat(ok(cli, server, "kinesisvideo", "list-streams").path("StreamInfoList").get(0).path("StreamName")
            .asText()).isEqualTo("cli-cam");
        assertThat(ok(cli, server, "kinesisvideo", "get-data-endpoint", "--stream-name", "cli-cam", "--api-name",
            "GET_MEDIA").path("DataEndpoint").asText()).endsWith(":" + server.address().getPort());

        AwsCli.Result missing = cli.run(server.endpoint().toString(), "kinesisvideo", "describe-stream",
            "--stream-name", "nope");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.stderr()).contains("ResourceNotFoundException");

        // Media put through the store, read back with the CLI's GetMedia into a file.
        MediaIngest.run(videos, "cli-cam", new ByteArrayInputStream(TestMkv.capture("clusters.mkv")),
            MediaIngest.TimecodeType.RELATIVE, 1_700_000_000_000L, ack -> { });
        Path out = dir.resolve("out.mkv");
        JsonNode got = ok(cli, server, "kinesis-video-media", "get-media", "--stream-name", "cli-cam",
            "--start-selector", "StartSelectorType=EARLIEST", out.toString());
        assertThat(got.path("ContentType").asText()).isEqualTo("video/webm");
        assertThat(TestMkv.parse(Files.readAllBytes(out), dir)).hasSize(8);

        // The archived media commands: images (JSON with base64 JPEG) and a clip (an MP4 file). Debian's
        // aws CLI 2.9 validates SamplingInterval against the service's first minimum, 3000 ms.
        JsonNode images = ok(cli, server, "kinesis-video-archived-media", "get-images", "--stream-name", "cli-cam",
            "--image-selector-type", "PRODUCER_TIMESTAMP", "--start-timestamp", "1700000000",
            "--end-timestamp", "1700000006", "--sampling-interval", "3000", "--format", "JPEG",
            "--width-pixels", "320");
        assertThat(images.path("Images")).hasSize(3);
        for (JsonNode image : images.path("Images")) {
          var picture = javax.imageio.ImageIO.read(new ByteArrayInputStream(
              java.util.Base64.getDecoder().decode(image.path("ImageContent").asText())));
          assertThat(picture.getWidth()).isEqualTo(320);
          assertThat(picture.getHeight()).isEqualTo(240);
        }
        Path clip = dir.resolve("clip.mp4");
        JsonNode clipped = ok(cli, server, "kinesis-video-archived-media", "get-clip", "--stream-name", "cli-cam",
            "--clip-fragment-selector", "FragmentSelectorType=PRODUCER_TIMESTAMP,TimestampRange={StartTimestamp="
                + "1700000000,EndTimestamp=1700000100}", clip.toString());
        assertThat(clipped.path("ContentType").asText()).isEqualTo("video/mp4");
        JsonNode probed = VideoArchivedMediaIT.ffprobe(Files.readAllBytes(clip), dir.resolve("cli-clip.mp4"));
        assertThat(probed.path("streams").get(0).path("nb_read_frames").asInt()).isEqualTo(444);

        String version = info.path("Version").asText();
        ok(cli, server, "kinesisvideo", "delete-stream", "--stream-arn", arn, "--current-version", version);
        assertThat(ok(cli, server, "kinesisvideo", "list-streams").path("StreamInfoList")).isEmpty();
      }
    }
  }
}
