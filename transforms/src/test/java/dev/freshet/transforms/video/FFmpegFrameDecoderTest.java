package dev.freshet.transforms.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The FFmpeg backend against the JCodec backend on the same real fragments. */
class FFmpegFrameDecoderTest {
  @Test
  void decodesTheSameFramesAsJCodec() throws Exception {
    List<VideoFragment> fragments = VideoFragments.split("camera", KvsCaptures.bytes("output_get_media.mkv"));
    VideoFragment fragment = fragments.get(1);
    List<VideoFrame> ffmpeg = FrameDecoder.ffmpeg().decode(fragment);
    List<VideoFrame> jcodec = FrameDecoder.jcodec().decode(fragment);

    assertThat(ffmpeg).hasSize(jcodec.size());
    assertThat(ffmpeg.stream().map(VideoFrame::timestamp).toList())
        .isEqualTo(jcodec.stream().map(VideoFrame::timestamp).toList());
    assertThat(ffmpeg.get(0).timestamp()).isEqualTo(fragment.producerTimestamp());
    assertThat(ffmpeg.get(0).keyFrame()).isTrue();
    for (int i = 0; i < ffmpeg.size(); i += 15) {
      assertThat(ffmpeg.get(i).width()).isEqualTo(640);
      assertThat(ffmpeg.get(i).height()).isEqualTo(360);
      assertThat(JCodecFrameDecoderTest.meanAbsoluteDifference(ffmpeg.get(i).rgb(), jcodec.get(i).rgb()))
          .as("frame %s", i).isLessThan(6.0);
    }
  }

  @Test
  void notMatroskaIsUndecodable() {
    VideoFragment text = VideoFragment.of("camera", "7", Instant.EPOCH, Instant.EPOCH,
        "not a video".repeat(50).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThatThrownBy(() -> FrameDecoder.ffmpeg().decode(text))
        .isInstanceOf(UndecodableFragmentException.class)
        .hasMessageContaining("fragment 7 of camera");
  }
}
