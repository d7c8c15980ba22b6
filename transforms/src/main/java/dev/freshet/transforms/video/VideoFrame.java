package dev.freshet.transforms.video;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import java.time.Instant;
import org.apache.beam.sdk.coders.Coder;

/**
 * One decoded picture: its absolute presentation time, size, and pixels as packed 8-bit RGB
 * (row-major, {@code 3 * width * height} bytes, top-left first), cropped to the picture size the
 * stream declares. The pixels are kept in the form the decoder gave (the FFmpeg backend's YUV
 * 4:2:0) and converted to RGB when {@link #rgb()} or {@link #pixel} first asks for them.
 */
@AutoValue
public abstract class VideoFrame {
  public abstract String streamName();

  /** The fragment the frame was decoded from. */
  public abstract String fragmentNumber();

  /**
   * The frame's presentation time on the producer's clock: the fragment's producer timestamp plus
   * the frame's offset in the fragment (its cluster's and block's timecodes, from the first
   * cluster's). GetMedia's cluster timecodes count from the start of the session, not the epoch.
   */
  public abstract Instant timestamp();

  public abstract int width();

  public abstract int height();

  /** Whether the frame is a key frame (decodable on its own). */
  public abstract boolean keyFrame();

  /** The pixels in the form the decoder gave them. */
  abstract Pixels pixels();

  /**
   * Packed RGB, {@code 3 * width * height} bytes. A frame the FFmpeg backend decoded holds YUV
   * 4:2:0 and converts it here, the first time (BT.601, TV range); later calls return the same array.
   */
  public byte[] rgb() {
    return pixels().rgb();
  }

  public static VideoFrame of(String streamName, String fragmentNumber, Instant timestamp, int width,
      int height, boolean keyFrame, byte[] rgb) {
    checkArgument(width > 0 && height > 0, "a frame must have a size, but was %sx%s", width, height);
    return new AutoValue_VideoFrame(streamName, fragmentNumber, timestamp, width, height, keyFrame,
        Pixels.rgb(width, height, rgb));
  }

  /** A frame holding 8-bit YUV 4:2:0 planes (packed, chroma {@code ceil(w/2) × ceil(h/2)}), RGB on demand. */
  static VideoFrame ofYuv420(String streamName, String fragmentNumber, Instant timestamp, int width, int height,
      boolean keyFrame, byte[] y, byte[] u, byte[] v) {
    checkArgument(width > 0 && height > 0, "a frame must have a size, but was %sx%s", width, height);
    return new AutoValue_VideoFrame(streamName, fragmentNumber, timestamp, width, height, keyFrame,
        Pixels.yuv420(width, height, y, u, v));
  }

  /** The red, green and blue values of the pixel at ({@code x}, {@code y}), as {@code 0xRRGGBB}. */
  public int pixel(int x, int y) {
    checkArgument(x >= 0 && x < width() && y >= 0 && y < height(),
        "(%s, %s) is outside the %sx%s frame", x, y, width(), height());
    int i = 3 * (y * width() + x);
    byte[] rgb = rgb();
    return (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | (rgb[i + 2] & 0xff);
  }

  /** The coder of {@link VideoFrame}s (deterministic). */
  public static Coder<VideoFrame> coder() {
    return VideoCoders.FrameCoder.INSTANCE;
  }

  @Override
  public final String toString() {
    return "VideoFrame{" + streamName() + " #" + fragmentNumber() + " at " + timestamp() + ", " + width() + "x"
        + height() + (keyFrame() ? ", key" : "") + "}";
  }
}
