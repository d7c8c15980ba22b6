package dev.freshet.transforms.video;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A frame's pixels as the decoder gave them: packed RGB, or the planes of 8-bit YUV 4:2:0 (BT.601,
 * TV range, as FFmpeg decodes most cameras' H.264), converted to RGB only when RGB is asked for,
 * once. Decoding alone then costs what a decoder costs, and frames that are never looked at as RGB
 * (sampled away, counted, passed on) never pay for the conversion; the YUV form is also half the
 * bytes.
 *
 * <p>Equal when the same form holds the same bytes (so that a coder, which keeps the form, is
 * deterministic).
 */
final class Pixels {
  private final int width;
  private final int height;
  private final byte @Nullable [] y;
  private final byte @Nullable [] u;
  private final byte @Nullable [] v;
  private volatile byte @Nullable [] rgb;

  private Pixels(int width, int height, byte @Nullable [] rgb, byte @Nullable [] y, byte @Nullable [] u,
      byte @Nullable [] v) {
    this.width = width;
    this.height = height;
    this.rgb = rgb;
    this.y = y;
    this.u = u;
    this.v = v;
  }

  static Pixels rgb(int width, int height, byte[] rgb) {
    checkArgument(rgb.length == 3 * width * height,
        "rgb must hold 3 * %s * %s bytes, but held %s", width, height, rgb.length);
    return new Pixels(width, height, rgb, null, null, null);
  }

  /** Chroma planes are {@code ceil(width / 2) × ceil(height / 2)}; every plane is packed (no row padding). */
  static Pixels yuv420(int width, int height, byte[] y, byte[] u, byte[] v) {
    int chroma = chromaWidth(width) * chromaHeight(height);
    checkArgument(y.length == width * height, "the Y plane must hold %s * %s bytes, but held %s", width, height,
        y.length);
    checkArgument(u.length == chroma && v.length == chroma,
        "the U and V planes must hold %s bytes each, but held %s and %s", chroma, u.length, v.length);
    return new Pixels(width, height, null, y, u, v);
  }

  static int chromaWidth(int width) {
    return (width + 1) / 2;
  }

  static int chromaHeight(int height) {
    return (height + 1) / 2;
  }

  boolean isYuv420() {
    return y != null;
  }

  byte[] y() {
    return y;
  }

  byte[] u() {
    return u;
  }

  byte[] v() {
    return v;
  }

  /** Packed RGB, converted from YUV the first time it is asked for. */
  byte[] rgb() {
    byte[] result = rgb;
    if (result == null) {
      result = toRgb();
      rgb = result;
    }
    return result;
  }

  /** BT.601 TV range to full-range RGB in 8.8 fixed point, each chroma sample covering 2×2 pixels. */
  private byte[] toRgb() {
    byte[] out = new byte[3 * width * height];
    int chromaWidth = chromaWidth(width);
    for (int row = 0; row < height; row++) {
      int yAt = row * width;
      int cAt = (row >> 1) * chromaWidth;
      int o = 3 * yAt;
      for (int col = 0; col < width; col++) {
        int c = 298 * ((y[yAt + col] & 0xff) - 16) + 128;
        int d = (u[cAt + (col >> 1)] & 0xff) - 128;
        int e = (v[cAt + (col >> 1)] & 0xff) - 128;
        out[o++] = clip((c + 409 * e) >> 8);
        out[o++] = clip((c - 100 * d - 208 * e) >> 8);
        out[o++] = clip((c + 516 * d) >> 8);
      }
    }
    return out;
  }

  private static byte clip(int value) {
    return (byte) (value < 0 ? 0 : value > 255 ? 255 : value);
  }

  @Override
  public boolean equals(@Nullable Object other) {
    if (!(other instanceof Pixels that) || width != that.width || height != that.height
        || isYuv420() != that.isYuv420()) {
      return false;
    }
    return isYuv420() ? Arrays.equals(y, that.y) && Arrays.equals(u, that.u) && Arrays.equals(v, that.v)
        : Arrays.equals(rgb, that.rgb);
  }

  @Override
  public int hashCode() {
    return isYuv420() ? Arrays.hashCode(y) * 31 + Arrays.hashCode(u) * 17 + Arrays.hashCode(v) : Arrays.hashCode(rgb);
  }
}
