package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.kinesis.video.Fragment;
import dev.freshet.kinesis.video.FragmentInfo;
import dev.freshet.kinesis.video.VideoFragmentStore;
import dev.freshet.kinesis.video.VideoService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jcodec.api.SequenceEncoder;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Picture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code freshet video}: on the data folder, and through a server with {@code --endpoint}. */
class VideoCommandTest {
  @TempDir Path dataDir;
  @TempDir Path files;

  static Path capture(String name) {
    Path relative = Path.of("../../shared/testdata/kvs", name);
    return Files.isRegularFile(relative) ? relative : Path.of("/work/shared/testdata/kvs", name);
  }

  private static int documents(byte[] media) {
    int count = 0;
    for (int i = 0; i + 3 < media.length; i++) {
      if ((media[i] & 0xff) == 0x1A && (media[i + 1] & 0xff) == 0x45 && (media[i + 2] & 0xff) == 0xDF
          && (media[i + 3] & 0xff) == 0xA3) {
        count++;
      }
    }
    return count;
  }

  @Test
  void createPutGetOnTheDataFolder() throws Exception {
    Cli cli = new Cli(dataDir);
    Cli.Result created = cli.run("video", "create", "door", "--retention-hours", "2");
    assertThat(created.exitCode()).as(created.err()).isZero();
    assertThat(created.out()).contains("created video stream door", "arn:aws:kinesisvideo:");

    Cli.Result put = cli.run("video", "put", "door", "--file", capture("clusters.mkv"), "--start", "2024-05-01T12:00:00Z");
    assertThat(put.exitCode()).as(put.err()).isZero();
    assertThat(put.out()).contains("stored 8 fragments");

    Path all = files.resolve("all.mkv");
    Cli.Result got = cli.run("video", "get", "door", "--start", "earliest", "-o", all);
    assertThat(got.exitCode()).as(got.err()).isZero();
    assertThat(got.out()).contains("wrote 8 fragments");
    String text = new String(Files.readAllBytes(all), StandardCharsets.ISO_8859_1);
    assertThat(documents(Files.readAllBytes(all))).isEqualTo(8);
    assertThat(text).contains("AWS_KINESISVIDEO_FRAGMENT_NUMBER", "AWS_KINESISVIDEO_CONTINUATION_TOKEN",
        "1714564800.000"); // the first fragment's producer timestamp: --start plus timecode 0

    // From producer time 12:00:09: the fragments with timecodes 9998, 11997, 13997.
    Path late = files.resolve("late.mkv");
    assertThat(cli.run("video", "get", "door", "--start", "timestamp=1714564809", "-o", late).out())
        .contains("wrote 3 fragments");
    assertThat(cli.run("video", "list").out()).contains("door", "8");

    Cli.Result bad = cli.run("video", "put", "door", "--file", files.resolve("all.mkv").resolveSibling("none.mkv"));
    assertThat(bad.exitCode()).isEqualTo(1);
    Path notVideo = Files.writeString(files.resolve("notes.mkv"), "not a video");
    Cli.Result refused = cli.run("video", "put", "door", "--file", notVideo);
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err()).contains("4006 INVALID_MKV_DATA", "not Matroska");
    Cli.Result missing = cli.run("video", "get", "nope", "-o", files.resolve("x.mkv"));
    assertThat(missing.err()).startsWith("error: ResourceNotFoundException: ");
    assertThat(cli.run("video", "get", "door", "--start", "yesterday", "-o", late).exitCode()).isEqualTo(2);
  }

  @Test
  void imagesAtAnIntervalIntoAFolder() throws Exception {
    Cli cli = new Cli(dataDir);
    assertThat(cli.run("video", "create", "door").exitCode()).isZero();
    assertThat(cli.run("video", "put", "door", "--file", capture("output_get_media.mkv"), "--start", "1714564800")
        .exitCode()).isZero();
    // 10 s of media (5 fragments of 2 s): an image at 0, 1, ..., 9 s.
    Path folder = files.resolve("images");
    Cli.Result images = cli.run("video", "images", "door", "--every", "1s", "-o", folder);
    assertThat(images.exitCode()).as(images.err()).isZero();
    assertThat(images.out()).contains("wrote 10 images of door");
    List<Path> written;
    try (var list = Files.list(folder)) {
      written = list.sorted().toList();
    }
    assertThat(written).hasSize(10);
    assertThat(written.get(0).getFileName().toString()).isEqualTo("door-20240501T120000.000Z.jpg");
    assertThat(written.get(9).getFileName().toString()).isEqualTo("door-20240501T120009.000Z.jpg");
    for (Path image : written) {
      java.awt.image.BufferedImage read = javax.imageio.ImageIO.read(image.toFile());
      assertThat(read).as("ImageIO reads %s", image).isNotNull();
      assertThat(read.getWidth()).isEqualTo(640);
      assertThat(read.getHeight()).isEqualTo(360);
    }
    // A range partly outside the media, PNG, scaled.
    Path png = files.resolve("png");
    Cli.Result some = cli.run("video", "images", "door", "--every", "500ms", "--from", "1714564808", "--to",
        "2024-05-01T12:00:11Z", "--format", "png", "--width", "160", "-o", png);
    assertThat(some.exitCode()).as(some.err()).isZero();
    assertThat(some.out()).contains("wrote 4 images", "(3 times without media or undecodable)");
    try (var list = Files.list(png)) {
      for (Path image : list.toList()) {
        assertThat(image.toString()).endsWith(".png");
        assertThat(javax.imageio.ImageIO.read(image.toFile()).getHeight()).isEqualTo(90);
      }
    }
    assertThat(cli.run("video", "images", "door", "--every", "100ms", "-o", folder).exitCode()).isEqualTo(2);

    // A clip of 12:00:03 to 12:00:05: the fragments at 2 s and 4 s, 4 s of the 30 frames/s video.
    Path clip = files.resolve("clip.mp4");
    Cli.Result clipped = cli.run("video", "clip", "door", "--from", "2024-05-01T12:00:03Z", "--to",
        "2024-05-01T12:00:05Z", "-o", clip);
    assertThat(clipped.exitCode()).as(clipped.err()).isZero();
    assertThat(clipped.out()).contains("wrote a clip of door");
    assertThat(ffprobe(clip)).containsExactly("h264", "120", "4.000000");
    assertThat(cli.run("video", "clip", "door", "--from", "1000", "--to", "2000", "-o", clip).err())
        .contains("ResourceNotFoundException", "No fragments");
    assertThat(cli.run("video", "images", "door", "--every", "often", "-o", folder).err()).contains("--every");
    assertThat(cli.run("video", "images", "nope", "-o", folder).err()).startsWith("error: ResourceNotFoundException: ");
  }

  /** Debian's ffprobe on an MP4 file: codec, frames counted by decoding them, duration. */
  /** The frames ffprobe decodes from a URL (an HLS playlist, a DASH manifest). */
  static String ffprobeFrames(String url) throws Exception {
    Process process = new ProcessBuilder("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
        "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", url).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    // HLS and DASH streams are also listed under their program: the first line is the stream's count.
    return out.lines().findFirst().orElse(out);
  }

  static List<String> ffprobe(Path mp4) throws Exception {
    Process process = new ProcessBuilder("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
        "-show_entries", "stream=codec_name,nb_read_frames:format=duration", "-of", "default=nw=1:nk=1",
        mp4.toString()).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(err).isZero();
    assertThat(err).isBlank();
    return List.of(out.strip().split("\\s+"));
  }

  @Test
  void anMp4FileIsCutIntoFragmentsAtItsKeyframes() throws Exception {
    // 3 s of 25 fps H.264 made by JCodec's encoder, with a keyframe every 25 frames.
    Path mp4 = files.resolve("generated.mp4");
    SequenceEncoder encoder = SequenceEncoder.createSequenceEncoder(mp4.toFile(), 25);
    for (int frame = 0; frame < 75; frame++) {
      Picture picture = Picture.create(64, 48, ColorSpace.RGB);
      for (int plane = 0; plane < picture.getData().length; plane++) {
        byte[] data = picture.getPlaneData(plane);
        for (int i = 0; i < data.length; i++) {
          data[i] = (byte) ((i + frame * 3) % 200 - 100);
        }
      }
      encoder.encodeNativeFrame(picture);
    }
    encoder.finish();

    Cli cli = new Cli(dataDir);
    assertThat(cli.run("video", "create", "generated").exitCode()).isZero();
    Cli.Result put = cli.run("video", "put", "generated", "--file", mp4, "--start", "1714564800");
    assertThat(put.exitCode()).as(put.err()).isZero();
    try (VideoFragmentStore store = VideoFragmentStore.open(dataDir.resolve("video"), Durability.OS)) {
      List<FragmentInfo> fragments = store.listFragments("generated");
      assertThat(put.out()).contains("stored " + fragments.size() + " fragments");
      assertThat(fragments).hasSizeGreaterThanOrEqualTo(3);
      assertThat(fragments.get(0).producerTimestampMillis()).isEqualTo(1_714_564_800_000L);
      long total = fragments.stream().mapToLong(FragmentInfo::durationMillis).sum();
      assertThat(total).isBetween(2800L, 3000L); // 75 frames of 40 ms, less the last frame's length
      Fragment first = store.readFragment("generated", fragments.get(0).fragmentNumber());
      String header = new String(first.segmentHeader(), StandardCharsets.ISO_8859_1);
      assertThat(header).contains("V_MPEG4/ISO/AVC");
      // CodecPrivate (0x63A2, a one-byte size) holds an AVCDecoderConfigurationRecord: version 1.
      int codecPrivate = header.indexOf("\u0063\u00a2");
      assertThat(codecPrivate).isPositive();
      assertThat(first.segmentHeader()[codecPrivate + 3]).isEqualTo((byte) 1);
    }
  }

  @Test
  void throughAServerWithEndpoint() throws Exception {
    try (LocalStreamStore streams = LocalStreamStore.open(StoreConfig.builder(dataDir).build())) {
      VideoFragmentStore videos = VideoFragmentStore.open(dataDir.resolve("video"), Durability.OS);
      try (KinesisServer server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), streams,
          List.of(new VideoService(videos, java.time.Duration.ofMillis(300))))) {
        Cli cli = new Cli(files);
        String endpoint = server.endpoint().toString();
        assertThat(cli.run("video", "create", "yard", "--endpoint", endpoint).exitCode()).isZero();
        Cli.Result put = cli.run("video", "put", "yard", "--file", capture("output_get_media.mkv"), "--endpoint", endpoint);
        assertThat(put.exitCode()).as(put.err()).isZero();
        assertThat(put.out()).contains("stored 5 fragments");
        String third = videos.listFragments("yard").get(2).fragmentNumber();
        Path out = files.resolve("from-third.mkv");
        Cli.Result got = cli.run("video", "get", "yard", "--start", "fragment=" + third, "-o", out, "--endpoint", endpoint);
        assertThat(got.exitCode()).as(got.err()).isZero();
        assertThat(got.out()).contains("wrote 3 fragments");
        assertThat(new String(Files.readAllBytes(out), StandardCharsets.ISO_8859_1)).contains(third);
        Path images = files.resolve("yard-images");
        Cli.Result sampled = cli.run("video", "images", "yard", "--every", "2s", "--height", "90", "-o", images,
            "--endpoint", endpoint);
        assertThat(sampled.exitCode()).as(sampled.err()).isZero();
        assertThat(sampled.out()).contains("wrote 5 images of yard");
        long start = videos.listFragments("yard").get(0).producerTimestampMillis();
        Path clip = files.resolve("yard.mp4");
        Cli.Result clipped = cli.run("video", "clip", "yard", "--from", java.math.BigDecimal.valueOf(start, 3),
            "--to", java.math.BigDecimal.valueOf(start + 60_000, 3), "-o", clip, "--endpoint", endpoint);
        assertThat(clipped.exitCode()).as(clipped.err()).isZero();
        assertThat(ffprobe(clip)).containsExactly("h264", "300", "10.000000");
        try (var list = Files.list(images)) {
          for (Path image : list.toList()) {
            assertThat(javax.imageio.ImageIO.read(image.toFile()).getWidth()).isEqualTo(160);
          }
        }
        // HLS and DASH session URLs a player opens: on demand over the stream's fragments by default.
        Cli.Result hls = cli.run("video", "hls", "yard", "--mode", "on-demand", "--endpoint", endpoint);
        assertThat(hls.exitCode()).as(hls.err()).isZero();
        String hlsUrl = hls.out().trim();
        assertThat(hlsUrl).startsWith(endpoint + "/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken=");
        assertThat(ffprobeFrames(hlsUrl)).isEqualTo("300");
        Cli.Result dash = cli.run("video", "dash", "yard", "--mode", "on-demand", "--from",
            java.math.BigDecimal.valueOf(start + 4500, 3), "--to", java.math.BigDecimal.valueOf(start + 60_000, 3),
            "--endpoint", endpoint);
        assertThat(dash.exitCode()).as(dash.err()).isZero();
        assertThat(dash.out().trim()).startsWith(endpoint + "/dash/v1/getDASHManifest.mpd?SessionToken=");
        assertThat(ffprobeFrames(dash.out().trim())).isEqualTo("180"); // fragments 2, 3, 4
        Cli.Result live = cli.run("video", "hls", "yard", "--endpoint", endpoint);
        assertThat(live.exitCode()).as(live.err()).isZero();
        Cli.Result noServer = cli.run("video", "hls", "yard");
        assertThat(noServer.exitCode()).isNotZero();
        assertThat(noServer.err()).contains("--endpoint");
        Cli.Result badMode = cli.run("video", "hls", "yard", "--mode", "sometimes", "--endpoint", endpoint);
        assertThat(badMode.err()).contains("--mode must be live, live-replay or on-demand, but was: sometimes");
        Cli.Result missing = cli.run("video", "put", "nope", "--file", capture("clusters.mkv"), "--endpoint", endpoint);
        assertThat(missing.err()).startsWith("error: ResourceNotFoundException: ");
      }
    }
  }
}
