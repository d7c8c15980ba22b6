package dev.freshet.transforms.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class VideoFragmentsTest {
  private static final byte[] EBML_HEADER = {0x1A, 0x45, (byte) 0xDF, (byte) 0xA3};

  @Test
  void cutsGetMediaOutputIntoItsFragmentsByteForByte() throws IOException {
    byte[] capture = KvsCaptures.bytes("output_get_media.mkv");
    List<VideoFragment> fragments = VideoFragments.split("camera", capture);

    assertThat(fragments).hasSize(5);
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (VideoFragment fragment : fragments) {
      assertThat(Arrays.copyOf(fragment.mkv(), 4)).as("each fragment is a whole document").isEqualTo(EBML_HEADER);
      joined.writeBytes(fragment.mkv());
    }
    assertThat(joined.toByteArray()).as("the fragments, back to back, are the capture").isEqualTo(capture);

    VideoFragment first = fragments.get(0);
    assertThat(first.streamName()).isEqualTo("camera");
    assertThat(first.fragmentNumber()).isEqualTo("91343852333181432392682062607743920146159169392");
    assertThat(first.producerTimestamp()).isEqualTo(Instant.parse("2017-11-28T06:55:08.513Z"));
    assertThat(first.serverTimestamp()).isEqualTo(Instant.parse("2017-11-28T06:55:09.126Z"));
    for (int i = 1; i < fragments.size(); i++) {
      assertThat(new BigInteger(fragments.get(i).fragmentNumber()))
          .isGreaterThan(new BigInteger(fragments.get(i - 1).fragmentNumber()));
      assertThat(fragments.get(i).producerTimestamp()).isAfter(fragments.get(i - 1).producerTimestamp());
    }
  }

  @Test
  void matroskaWithoutTheServiceTagsIsNotGetMediaOutput() {
    assertThatThrownBy(() -> VideoFragments.split("camera", KvsCaptures.bytes("clusters.mkv")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("has no AWS_KINESISVIDEO_FRAGMENT_NUMBER tag");
  }

  @Test
  void trailingBytesAfterTheLastDocumentAreRefused() throws IOException {
    byte[] capture = KvsCaptures.bytes("output_get_media.mkv");
    byte[] cut = Arrays.copyOf(capture, capture.length - 1000);
    assertThatThrownBy(() -> VideoFragments.split("camera", cut)).isInstanceOf(IOException.class)
        .hasMessageContaining("camera");
  }

  @Test
  void bytesThatAreNotMatroskaAreRefused() {
    byte[] text = "this is not a video".repeat(100).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThatThrownBy(() -> VideoFragments.split("camera", text)).isInstanceOf(IOException.class)
        .hasMessageContaining("camera");
  }
}
