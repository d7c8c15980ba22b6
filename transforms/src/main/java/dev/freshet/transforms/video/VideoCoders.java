package dev.freshet.transforms.video;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/** The coders of the video value types: fixed field order, deterministic. */
final class VideoCoders {
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final ByteArrayCoder BYTES = ByteArrayCoder.of();

  private VideoCoders() {}

  static void writeInstant(Instant instant, OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.writeLong(instant.getEpochSecond());
    data.writeInt(instant.getNano());
  }

  static Instant readInstant(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    return Instant.ofEpochSecond(data.readLong(), data.readInt());
  }

  static final class FragmentCoder extends AtomicCoder<VideoFragment> {
    static final FragmentCoder INSTANCE = new FragmentCoder();
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(VideoFragment value, OutputStream out) throws IOException {
      STRING.encode(value.streamName(), out);
      STRING.encode(value.fragmentNumber(), out);
      writeInstant(value.producerTimestamp(), out);
      writeInstant(value.serverTimestamp(), out);
      BYTES.encode(value.mkv(), out);
    }

    @Override
    public VideoFragment decode(InputStream in) throws IOException {
      return VideoFragment.of(STRING.decode(in), STRING.decode(in), readInstant(in), readInstant(in),
          BYTES.decode(in));
    }

    @Override
    public void verifyDeterministic() {}

    private Object readResolve() {
      return INSTANCE;
    }
  }

  static final class FrameCoder extends AtomicCoder<VideoFrame> {
    static final FrameCoder INSTANCE = new FrameCoder();
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(VideoFrame value, OutputStream out) throws IOException {
      STRING.encode(value.streamName(), out);
      STRING.encode(value.fragmentNumber(), out);
      writeInstant(value.timestamp(), out);
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(value.width());
      data.writeInt(value.height());
      data.writeBoolean(value.keyFrame());
      // The form the frame holds: RGB, or YUV 4:2:0 planes (half the bytes, converted when read as RGB).
      Pixels pixels = value.pixels();
      data.writeBoolean(pixels.isYuv420());
      if (pixels.isYuv420()) {
        BYTES.encode(pixels.y(), out);
        BYTES.encode(pixels.u(), out);
        BYTES.encode(pixels.v(), out);
      } else {
        BYTES.encode(pixels.rgb(), out);
      }
    }

    @Override
    public VideoFrame decode(InputStream in) throws IOException {
      String stream = STRING.decode(in);
      String fragment = STRING.decode(in);
      Instant timestamp = readInstant(in);
      DataInputStream data = new DataInputStream(in);
      int width = data.readInt();
      int height = data.readInt();
      boolean key = data.readBoolean();
      if (data.readBoolean()) {
        return VideoFrame.ofYuv420(stream, fragment, timestamp, width, height, key, BYTES.decode(in),
            BYTES.decode(in), BYTES.decode(in));
      }
      return VideoFrame.of(stream, fragment, timestamp, width, height, key, BYTES.decode(in));
    }

    @Override
    public void verifyDeterministic() {}

    private Object readResolve() {
      return INSTANCE;
    }
  }

  static final class FailureCoder extends AtomicCoder<UndecodableFragment> {
    static final FailureCoder INSTANCE = new FailureCoder();
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(UndecodableFragment value, OutputStream out) throws IOException {
      STRING.encode(value.streamName(), out);
      STRING.encode(value.fragmentNumber(), out);
      STRING.encode(value.reason(), out);
    }

    @Override
    public UndecodableFragment decode(InputStream in) throws IOException {
      return UndecodableFragment.of(STRING.decode(in), STRING.decode(in), STRING.decode(in));
    }

    @Override
    public void verifyDeterministic() {}

    private Object readResolve() {
      return INSTANCE;
    }
  }
}
