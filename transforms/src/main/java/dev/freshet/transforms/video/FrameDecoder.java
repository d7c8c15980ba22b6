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

  List<VideoFrame> decode(VideoFragment fragment) throws UndecodableFragmentException;
}
