package dev.freshet.transforms.video;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.jspecify.annotations.Nullable;

/**
 * Where a {@link VideoIO} read is: the last fragment it emitted (by number) and when the server
 * received it. A reader resumed from the mark lists fragments from that server time and emits
 * only higher numbers: nothing is lost and nothing repeated.
 */
final class VideoCheckpointMark implements UnboundedSource.CheckpointMark {
  /** No fragment emitted yet: {@code lastNumber} is empty and listing starts at {@code serverMillis}. */
  final String lastNumber;
  final long serverMillis;

  VideoCheckpointMark(String lastNumber, long serverMillis) {
    this.lastNumber = lastNumber;
    this.serverMillis = serverMillis;
  }

  @Nullable String lastFragmentNumber() {
    return lastNumber.isEmpty() ? null : lastNumber;
  }

  @Override
  public void finalizeCheckpoint() {
    // Fragments stay in the stream (within its retention): nothing to acknowledge.
  }

  static final class Coder extends AtomicCoder<VideoCheckpointMark> {
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(VideoCheckpointMark value, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(value.lastNumber, out);
      VarLongCoder.of().encode(value.serverMillis, out);
    }

    @Override
    public VideoCheckpointMark decode(InputStream in) throws IOException {
      return new VideoCheckpointMark(StringUtf8Coder.of().decode(in), VarLongCoder.of().decode(in));
    }
  }
}
