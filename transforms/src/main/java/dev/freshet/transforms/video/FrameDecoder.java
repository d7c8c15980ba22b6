package dev.freshet.transforms.video;

import java.io.Serializable;
import java.util.List;

/**
 * Decodes one fragment into its frames, in display (presentation time) order. Each fragment starts
 * with a key frame and carries its codec private data, so fragments decode independently. An
 * implementation may keep decoder state between calls on one instance, but {@link DecodeVideo}
 * uses an instance from one thread at a time.
 */
public interface FrameDecoder extends Serializable {
  /** The pure-Java H.264 decoder (JCodec): the default, on every platform. */
  static FrameDecoder jcodec() {
    return new JCodecFrameDecoder();
  }

  /**
   * Native FFmpeg through JavaCV: several times faster than JCodec, linux-x86_64 only. Needs the
   * optional dependencies {@code org.bytedeco:javacv}, {@code javacpp} and {@code ffmpeg} (with
   * classifier {@code linux-x86_64}) on the classpath.
   *
   * @throws IllegalStateException when JavaCV is not on the classpath
   */
  static FrameDecoder ffmpeg() {
    try {
      Class.forName("org.bytedeco.javacv.FFmpegFrameGrabber", false, FrameDecoder.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("FrameDecoder.ffmpeg() needs org.bytedeco:javacv, javacpp and ffmpeg "
          + "(classifier linux-x86_64) on the classpath; FrameDecoder.jcodec() needs nothing more", e);
    }
    return new FFmpegFrameDecoder();
  }

  List<VideoFrame> decode(VideoFragment fragment) throws UndecodableFragmentException;
}
