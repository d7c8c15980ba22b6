package dev.freshet.kinesis.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.freshet.kinesis.server.KinesisServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.kinesisvideo.KinesisVideoClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.KinesisVideoArchivedMediaClient;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ClipFragmentSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.Format;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.GetClipResponse;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.FormatConfigKey;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.GetImagesResponse;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.Image;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ImageError;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ImageSelectorType;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.ResourceNotFoundException;

/**
 * GetImages (and the archived media operations built on decoding and remuxing) on a real server
 * over a real store, driven by the AWS SDK v2 archived media client, on the real GetMedia capture
 * (640×360 H.264, 5 fragments of 2 s at 30 frames/s).
 */
class VideoArchivedMediaIT {
  private static final long START_MILLIS = VideoServerFixture.PRODUCER_START_SECONDS * 1000;

  @TempDir static Path dir;
  static VideoServerFixture fixture;
  static VideoFragmentStore videos;
  static KinesisServer server;
  static KinesisVideoClient control;
  static KinesisVideoArchivedMediaClient archive;
  /** The producer timestamp of the capture's first fragment, and of the end of its last. */
  static long first;
  static long end;

  @BeforeAll
  static void start() throws Exception {
    fixture = VideoServerFixture.start(dir);
    videos = fixture.videos;
    server = fixture.server;
    control = fixture.control;
    archive = fixture.archive;
    first = fixture.first;
    end = fixture.end;
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  static void put(String stream, byte[] media) throws Exception {
    fixture.put(stream, media);
  }

  static BufferedImage read(Image image) throws Exception {
    assertThat(image.error()).as("error of the image at %s", image.timeStamp()).isNull();
    BufferedImage read = ImageIO.read(new ByteArrayInputStream(java.util.Base64.getDecoder().decode(image.imageContent())));
    assertThat(read).as("ImageIO reads the image at %s", image.timeStamp()).isNotNull();
    return read;
  }

  @Test
  void imagesAtASamplingIntervalAreScaledJpeg() throws Exception {
    GetImagesResponse response = archive.getImages(b -> b.streamName("cam")
        .imageSelectorType(ImageSelectorType.PRODUCER_TIMESTAMP)
        .startTimestamp(Instant.ofEpochMilli(first)).endTimestamp(Instant.ofEpochMilli(first + 4000))
        .samplingInterval(500).format(Format.JPEG).formatConfig(java.util.Map.of(FormatConfigKey.JPEG_QUALITY, "90"))
        .widthPixels(320));
    assertThat(response.images()).hasSize(9);
    assertThat(response.nextToken()).isNull();
    for (int i = 0; i < 9; i++) {
      Image image = response.images().get(i);
      assertThat(image.timeStamp()).isEqualTo(Instant.ofEpochMilli(first + 500L * i));
      BufferedImage picture = read(image);
      assertThat(picture.getWidth()).isEqualTo(320);
      assertThat(picture.getHeight()).isEqualTo(180); // the aspect ratio kept
      assertThat(java.util.Base64.getDecoder().decode(image.imageContent())).startsWith(0xFF, 0xD8, 0xFF);
    }
    // A real picture, not a blank: its pixels vary, and the video moves between samples.
    BufferedImage a = read(response.images().get(0));
    BufferedImage b = read(response.images().get(8));
    assertThat(distinctColours(a)).isGreaterThan(100);
    assertThat(difference(a, b)).isGreaterThan(1.0);
  }

  @Test
  void pngAtFullSizePagesAndSaysWhereThereIsNoMedia() throws Exception {
    // From 1 s before the stream to 1 s after its 10 s, every second: 13 samples, 3 without media.
    long from = first - 1000;
    GetImagesResponse page1 = archive.getImages(b -> b.streamName("cam")
        .imageSelectorType(ImageSelectorType.PRODUCER_TIMESTAMP).startTimestamp(Instant.ofEpochMilli(from))
        .endTimestamp(Instant.ofEpochMilli(from + 12_000)).samplingInterval(1000).format(Format.PNG).maxResults(8L));
    assertThat(page1.images()).hasSize(8);
    assertThat(page1.nextToken()).isNotNull();
    GetImagesResponse page2 = archive.getImages(b -> b.streamName("cam")
        .imageSelectorType(ImageSelectorType.PRODUCER_TIMESTAMP).startTimestamp(Instant.ofEpochMilli(from))
        .endTimestamp(Instant.ofEpochMilli(from + 12_000)).samplingInterval(1000).format(Format.PNG).maxResults(8L)
        .nextToken(page1.nextToken()));
    assertThat(page2.images()).hasSize(5);
    assertThat(page2.nextToken()).isNull();
    List<Image> all = new java.util.ArrayList<>(page1.images());
    all.addAll(page2.images());
    for (int i = 0; i < all.size(); i++) {
      long at = from + 1000L * i;
      assertThat(all.get(i).timeStamp()).isEqualTo(Instant.ofEpochMilli(at));
      if (at < first || at >= end) {
        assertThat(all.get(i).error()).as("at %s", at - first).isEqualTo(ImageError.NO_MEDIA);
        assertThat(all.get(i).imageContent()).isNull();
      } else {
        BufferedImage picture = read(all.get(i));
        assertThat(picture.getWidth()).isEqualTo(640);
        assertThat(picture.getHeight()).isEqualTo(360);
        assertThat(java.util.Base64.getDecoder().decode(all.get(i).imageContent())).startsWith(0x89, 'P', 'N', 'G');
      }
    }
    assertThat(all).filteredOn(i -> i.error() != null).hasSize(3);
  }

  @Test
  void serverTimestampsSelectTheSameMedia() throws Exception {
    long server = videos.listFragments("cam").get(0).serverTimestampMillis();
    GetImagesResponse response = archive.getImages(b -> b.streamName("cam")
        .imageSelectorType(ImageSelectorType.SERVER_TIMESTAMP).startTimestamp(Instant.ofEpochMilli(server))
        .endTimestamp(Instant.ofEpochMilli(server + 100)).samplingInterval(200).format(Format.JPEG)
        .heightPixels(90));
    assertThat(response.images()).hasSize(1);
    assertThat(read(response.images().get(0)).getWidth()).isEqualTo(160);
  }

  @Test
  void undecodableMediaIsAMediaError() throws Exception {
    control.createStream(b -> b.streamName("cam-broken"));
    // An H.264 track whose codec private data holds no SPS or PPS, and frames of noise.
    put("cam-broken", TestMkv.concat(TestMkv.header(true), TestMkv.cluster(0, 200, 0, 33, 66)));
    GetImagesResponse response = archive.getImages(b -> b.streamName("cam-broken")
        .imageSelectorType(ImageSelectorType.PRODUCER_TIMESTAMP).startTimestamp(Instant.ofEpochMilli(START_MILLIS))
        .endTimestamp(Instant.ofEpochMilli(START_MILLIS + 50)).samplingInterval(200).format(Format.JPEG));
    assertThat(response.images()).extracting(Image::error).containsExactly(ImageError.MEDIA_ERROR);
  }

  @Test
  void badRequestsAreRefusedNamingWhatIsWrong() {
    assertThatThrownBy(() -> images(b -> b.samplingInterval(100)))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("SamplingInterval");
    assertThatThrownBy(() -> images(b -> b.format("GIF")))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("Format");
    assertThatThrownBy(() -> images(b -> b.endTimestamp(Instant.ofEpochMilli(first + 301_000))))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("300 seconds");
    assertThatThrownBy(() -> images(b -> b.endTimestamp(Instant.ofEpochMilli(first - 1))))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("EndTimestamp");
    assertThatThrownBy(() -> images(b -> b.widthPixels(5000)))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("WidthPixels");
    assertThatThrownBy(() -> images(b -> b.formatConfig(java.util.Map.of(FormatConfigKey.JPEG_QUALITY, "0"))))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("JPEGQuality");
    assertThatThrownBy(() -> images(b -> b.nextToken("not-a-token")))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("NextToken");
    assertThatThrownBy(() -> images(b -> b.streamName("no-such-camera")))
        .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("no-such-camera");
  }

  @Test
  void clipsAreMp4ThatFfprobeReads() throws Exception {
    // 2.5 s to 5.5 s overlaps the second and third fragments: 4 s, 120 frames.
    JsonNode part = ffprobe(clip(ClipFragmentSelectorType.PRODUCER_TIMESTAMP, first + 2500, first + 5500), dir.resolve("part.mp4"));
    JsonNode stream = part.path("streams").get(0);
    assertThat(stream.path("codec_name").asText()).isEqualTo("h264");
    assertThat(stream.path("width").asInt()).isEqualTo(640);
    assertThat(stream.path("height").asInt()).isEqualTo(360);
    assertThat(stream.path("nb_read_frames").asInt()).isEqualTo(120);
    assertThat(part.path("format").path("duration").asDouble()).isBetween(3.9, 4.1);
    assertThat(part.path("format").path("format_name").asText()).contains("mp4");

    long server = videos.listFragments("cam").get(0).serverTimestampMillis();
    JsonNode whole = ffprobe(clip(ClipFragmentSelectorType.SERVER_TIMESTAMP, server, server + 60_000), dir.resolve("whole.mp4"));
    assertThat(whole.path("streams").get(0).path("nb_read_frames").asInt()).isEqualTo(300);
    assertThat(whole.path("format").path("duration").asDouble()).isBetween(9.9, 10.1);

    assertThatThrownBy(() -> clip(ClipFragmentSelectorType.PRODUCER_TIMESTAMP, first - 60_000, first - 1))
        .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("No fragments");
    assertThatThrownBy(() -> clip(ClipFragmentSelectorType.PRODUCER_TIMESTAMP, first + 1000, first))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("EndTimestamp");
  }

  private static byte[] clip(ClipFragmentSelectorType type, long from, long to) {
    ResponseBytes<GetClipResponse> clip = archive.getClip(b -> b.streamName("cam").clipFragmentSelector(s -> s
        .fragmentSelectorType(type).timestampRange(r -> r.startTimestamp(Instant.ofEpochMilli(from))
            .endTimestamp(Instant.ofEpochMilli(to)))), ResponseTransformer.toBytes());
    assertThat(clip.response().contentType()).isEqualTo("video/mp4");
    return clip.asByteArray();
  }

  /** What Debian's ffprobe says of an MP4 file, counting its frames by decoding them. */
  static JsonNode ffprobe(byte[] mp4, Path file) throws Exception {
    java.nio.file.Files.write(file, mp4);
    Process process = new ProcessBuilder("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
        "-show_entries", "stream=codec_name,width,height,nb_read_frames:format=duration,format_name", "-of", "json",
        file.toString()).redirectErrorStream(false).start();
    byte[] out = process.getInputStream().readAllBytes();
    String err = new String(process.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(err).isZero();
    assertThat(err).as("ffprobe's complaints").isBlank();
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
  }

  private static GetImagesResponse images(
      java.util.function.Consumer<software.amazon.awssdk.services.kinesisvideoarchivedmedia.model.GetImagesRequest.Builder> change) {
    return archive.getImages(b -> {
      b.streamName("cam").imageSelectorType(ImageSelectorType.PRODUCER_TIMESTAMP)
          .startTimestamp(Instant.ofEpochMilli(first)).endTimestamp(Instant.ofEpochMilli(first + 1000))
          .samplingInterval(500).format(Format.JPEG);
      change.accept(b);
    });
  }

  static int distinctColours(BufferedImage image) {
    java.util.Set<Integer> colours = new java.util.HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 4) {
      for (int x = 0; x < image.getWidth(); x += 4) {
        colours.add(image.getRGB(x, y));
      }
    }
    return colours.size();
  }

  /** Mean absolute difference of the green channel, 0–255. */
  static double difference(BufferedImage a, BufferedImage b) {
    long sum = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        sum += Math.abs(((a.getRGB(x, y) >> 8) & 0xff) - ((b.getRGB(x, y) >> 8) & 0xff));
      }
    }
    return (double) sum / (a.getWidth() * a.getHeight());
  }
}
