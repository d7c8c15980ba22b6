package dev.freshet.transforms.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;

/**
 * {@link DecodeVideo} and {@link SampleFrames} on the Direct runner, over the real GetMedia capture
 * plus two fragments that cannot be decoded.
 */
class DecodeVideoTest {
  @Test
  void decodesGoodFragmentsSendsBadOnesToTheDeadLettersAndSamplesOneFramePerSecond() throws Exception {
    // The first two fragments (4 s, 120 frames) keep the Direct runner's copies of every frame small.
    List<VideoFragment> all = VideoFragments.split("camera", KvsCaptures.bytes("output_get_media.mkv"));
    List<VideoFragment> fragments = new ArrayList<>(all.subList(0, 2));
    VideoFragment template = fragments.get(0);
    long end = all.get(2).producerTimestamp().toEpochMilli();
    byte[] truncated = java.util.Arrays.copyOf(template.mkv(), template.mkv().length / 2);
    fragments.add(VideoFragment.of("camera", "900", template.producerTimestamp(), template.serverTimestamp(), truncated));
    fragments.add(VideoFragment.of("camera", "901", template.producerTimestamp(), template.serverTimestamp(),
        "not a video".repeat(40).getBytes(java.nio.charset.StandardCharsets.UTF_8)));

    // The expected frame times: the first fragment's producer time plus the offsets ffprobe reads.
    long start = template.producerTimestamp().toEpochMilli();
    List<Long> offsets = KvsCaptures.ffprobeFrameMillis(KvsCaptures.file("output_get_media.mkv")).stream()
        .filter(offset -> start + offset < end).toList();
    assertThat(offsets).hasSize(120);
    Map<Long, Long> earliestPerSecond = new TreeMap<>();
    for (long offset : offsets) {
      long millis = start + offset;
      earliestPerSecond.merge(Math.floorDiv(millis, 1000), millis, Math::min);
    }

    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs("--targetParallelism=2").create());
    DecodeVideo.Result decoded = pipeline
        .apply(Create.of(fragments).withCoder(VideoFragment.coder()))
        .apply(DecodeVideo.frames());

    PAssert.thatSingleton(decoded.frames().apply("CountFrames", Count.globally())).isEqualTo((long) offsets.size());
    PCollection<String> failed = decoded.failures()
        .apply(MapElements.into(TypeDescriptors.strings()).via(f -> f.fragmentNumber() + ":" + f.streamName()));
    PAssert.that(failed).containsInAnyOrder("900:camera", "901:camera");
    PAssert.that(decoded.failures().apply(MapElements.into(TypeDescriptors.strings()).via(UndecodableFragment::reason)))
        .satisfies(reasons -> {
          reasons.forEach(reason -> assertThat(reason).matches("fragment 90[01] of camera.*"));
          return null;
        });

    PCollection<Long> sampled = decoded.frames()
        .apply(SampleFrames.every(Duration.ofSeconds(1)))
        .apply(Window.into(new GlobalWindows()))
        .apply(MapElements.into(TypeDescriptors.longs()).via(frame -> frame.timestamp().toEpochMilli()))
        .setCoder(VarLongCoder.of());
    PAssert.that(sampled).containsInAnyOrder(earliestPerSecond.values());

    assertThat(pipeline.run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
  }

  @Test
  void samplingIntervalMustBePositive() {
    assertThatThrownBy(() -> SampleFrames.every(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("every must be at least 1 ms, but was: PT0S");
  }

  @Test
  void theEarlierFrameWinsAndTiesGoToTheLowerFragmentNumber() {
    byte[] pixel = {1, 2, 3};
    VideoFrame a = VideoFrame.of("s", "9", Instant.ofEpochMilli(10), 1, 1, true, pixel);
    VideoFrame b = VideoFrame.of("s", "10", Instant.ofEpochMilli(10), 1, 1, true, pixel);
    VideoFrame c = VideoFrame.of("s", "11", Instant.ofEpochMilli(5), 1, 1, false, pixel);
    assertThat(SampleFrames.earlier(a, b)).isSameAs(a);
    assertThat(SampleFrames.earlier(b, a)).isSameAs(a);
    assertThat(SampleFrames.earlier(a, c)).isSameAs(c);
  }

  @Test
  void codersRoundTrip() throws Exception {
    VideoFrame frame = VideoFrame.of("s", "12", Instant.parse("2024-01-01T00:00:00.123456789Z"), 2, 1, true,
        new byte[] {1, 2, 3, 4, 5, 6});
    assertThat(org.apache.beam.sdk.util.CoderUtils.clone(VideoFrame.coder(), frame)).isEqualTo(frame);
    assertThat(frame.pixel(1, 0)).isEqualTo(0x040506);
    VideoFragment fragment = VideoFragment.of("s", "12", Instant.EPOCH, Instant.ofEpochSecond(1), new byte[] {9});
    assertThat(org.apache.beam.sdk.util.CoderUtils.clone(VideoFragment.coder(), fragment)).isEqualTo(fragment);
    // A frame holding YUV 4:2:0 keeps that form through the coder, and reads as RGB on demand:
    // TV-range white (235) and black (16) with neutral chroma, a 3x1 picture (chroma 2x1).
    VideoFrame yuv = VideoFrame.ofYuv420("s", "13", Instant.EPOCH, 3, 1, false, new byte[] {(byte) 235, 16, (byte) 235},
        new byte[] {(byte) 128, (byte) 128}, new byte[] {(byte) 128, (byte) 128});
    VideoFrame cloned = org.apache.beam.sdk.util.CoderUtils.clone(VideoFrame.coder(), yuv);
    assertThat(cloned).isEqualTo(yuv);
    assertThat(cloned.pixels().isYuv420()).isTrue();
    assertThat(cloned.pixel(0, 0)).isEqualTo(0xffffff);
    assertThat(cloned.pixel(1, 0)).isEqualTo(0x000000);
    assertThat(cloned.pixel(2, 0)).isEqualTo(0xffffff);
    assertThat(cloned.rgb()).isSameAs(cloned.rgb()); // converted once
    UndecodableFragment failure = UndecodableFragment.of("s", "12", "why");
    assertThat(org.apache.beam.sdk.util.CoderUtils.clone(UndecodableFragment.coder(), failure)).isEqualTo(failure);
  }
}
