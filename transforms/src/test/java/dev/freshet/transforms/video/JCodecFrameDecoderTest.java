package dev.freshet.transforms.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JCodec decoder against ffmpeg's tools on the real GetMedia captures. */
class JCodecFrameDecoderTest {
  private static List<VideoFragment> fragments;
  private static List<VideoFrame> frames;

  @BeforeAll
  static void decodeTheCapture() throws Exception {
    fragments = VideoFragments.split("camera", KvsCaptures.bytes("output_get_media.mkv"));
    frames = new ArrayList<>();
    FrameDecoder decoder = FrameDecoder.jcodec();
    for (VideoFragment fragment : fragments) {
      frames.addAll(decoder.decode(fragment));
    }
  }

  @Test
  void decodesEveryFrameAtTheTimesFfprobeReads() throws Exception {
    List<Long> expected = KvsCaptures.ffprobeFrameMillis(KvsCaptures.file("output_get_media.mkv"));
    assertThat(expected).hasSize(300);
    assertThat(frames).hasSize(expected.size());
    Instant first = frames.get(0).timestamp();
    List<Long> actual = frames.stream().map(f -> Duration.between(first, f.timestamp()).toMillis()).toList();
    assertThat(actual).isEqualTo(expected);
    assertThat(frames).allSatisfy(f -> {
      assertThat(f.width()).isEqualTo(640);
      assertThat(f.height()).isEqualTo(360);
      assertThat(f.streamName()).isEqualTo("camera");
    });
  }

  @Test
  void framesAreOnTheProducersClockAndBelongToTheirFragment() {
    for (VideoFragment fragment : fragments) {
      List<VideoFrame> own = frames.stream().filter(f -> f.fragmentNumber().equals(fragment.fragmentNumber())).toList();
      assertThat(own).as("frames of %s", fragment).isNotEmpty();
      assertThat(own.get(0).keyFrame()).as("a fragment starts with a key frame").isTrue();
      assertThat(own.get(0).timestamp()).isEqualTo(fragment.producerTimestamp());
    }
  }

  @Test
  void picturesMatchWhatFfmpegDecodes() throws Exception {
    int count = 3;
    byte[] reference = KvsCaptures.ffmpegRgb(KvsCaptures.file("output_get_media.mkv"), count);
    int size = 640 * 360 * 3;
    assertThat(reference).hasSize(count * size);
    for (int i = 0; i < count; i++) {
      byte[] ours = frames.get(i).rgb();
      byte[] theirs = Arrays.copyOfRange(reference, i * size, (i + 1) * size);
      double meanDifference = meanAbsoluteDifference(ours, theirs);
      // The two decoders convert YUV to RGB with slightly different range handling and rounding:
      // a few levels apart. A wrong picture (another frame, shifted rows, garbage) is tens of levels apart.
      assertThat(meanDifference).as("mean |ours - ffmpeg| of frame %s", i).isLessThan(6.0);
    }
    assertThat(meanAbsoluteDifference(frames.get(0).rgb(), Arrays.copyOfRange(reference, 2 * size, 3 * size)))
        .as("the check can tell frames apart").isGreaterThan(meanAbsoluteDifference(frames.get(0).rgb(),
            Arrays.copyOfRange(reference, 0, size)));
  }

  @Test
  void aWholeFileOfClustersDecodesToFfprobesFrameCount() throws Exception {
    Path file = KvsCaptures.file("clusters.mkv");
    VideoFragment whole = VideoFragment.of("file", "0", Instant.EPOCH, Instant.EPOCH,
        KvsCaptures.bytes("clusters.mkv"));
    List<VideoFrame> decoded = FrameDecoder.jcodec().decode(whole);
    assertThat(decoded).hasSize(KvsCaptures.ffprobeFrameMillis(file).size());
    assertThat(decoded.get(0).width()).isEqualTo(640);
    assertThat(decoded.get(0).height()).isEqualTo(480);
  }

  @Test
  void aCorruptFragmentIsUndecodableWithTheReason() {
    VideoFragment good = fragments.get(1);
    byte[] damaged = good.mkv().clone();
    // Overwrite the middle of the fragment (inside its cluster's blocks) with noise.
    for (int i = damaged.length / 3; i < damaged.length / 3 + 4096; i++) {
      damaged[i] = (byte) (i * 31 + 7);
    }
    VideoFragment bad = VideoFragment.of("camera", good.fragmentNumber(), good.producerTimestamp(),
        good.serverTimestamp(), damaged);
    assertThatThrownBy(() -> FrameDecoder.jcodec().decode(bad))
        .isInstanceOf(UndecodableFragmentException.class)
        .hasMessageContaining(good.fragmentNumber());
  }

  @Test
  void notMatroskaIsUndecodable() {
    VideoFragment text = VideoFragment.of("camera", "7", Instant.EPOCH, Instant.EPOCH,
        "not a video".repeat(50).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThatThrownBy(() -> FrameDecoder.jcodec().decode(text))
        .isInstanceOf(UndecodableFragmentException.class)
        .hasMessageContaining("fragment 7 of camera");
  }

  static double meanAbsoluteDifference(byte[] a, byte[] b) {
    long sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
    }
    return (double) sum / a.length;
  }
}
