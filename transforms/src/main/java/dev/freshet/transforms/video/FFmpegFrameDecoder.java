package dev.freshet.transforms.video;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Native FFmpeg (libavcodec 7.1 through JavaCV) decoding a fragment's Matroska document from
 * memory into packed RGB, one decoding thread per fragment so that parallelism comes from the
 * runner. Needs JavaCV, JavaCPP and the FFmpeg preset for linux-x86_64 on the classpath (optional
 * dependencies of freshet-transforms).
 */
final class FFmpegFrameDecoder implements FrameDecoder {
  private static final long serialVersionUID = 1L;

  static {
    // FFmpeg prints every input's format dump at its default level; keep only errors.
    avutil.av_log_set_level(avutil.AV_LOG_ERROR);
  }

  @Override
  public List<VideoFrame> decode(VideoFragment fragment) throws UndecodableFragmentException {
    String what = "fragment " + fragment.fragmentNumber() + " of " + fragment.streamName();
    List<VideoFrame> frames = new ArrayList<>();
    try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(new ByteArrayInputStream(fragment.mkv()), 0)) {
      grabber.setFormat("matroska");
      grabber.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
      grabber.setVideoOption("threads", "1");
      grabber.start();
      if (grabber.getVideoCodec() != org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264) {
        throw new UndecodableFragmentException(what + " has no H.264 video track");
      }
      long first = Long.MIN_VALUE;
      for (Frame frame = grabber.grabImage(); frame != null; frame = grabber.grabImage()) {
        if (first == Long.MIN_VALUE) {
          first = frame.timestamp;
        }
        frames.add(VideoFrame.of(fragment.streamName(), fragment.fragmentNumber(),
            fragment.producerTimestamp().plusNanos((frame.timestamp - first) * 1000),
            frame.imageWidth, frame.imageHeight, frame.keyFrame, packed(frame)));
      }
      grabber.stop();
    } catch (FrameGrabber.Exception | RuntimeException e) {
      throw new UndecodableFragmentException(what + " could not be decoded by FFmpeg: " + e.getMessage(), e);
    }
    if (frames.isEmpty()) {
      throw new UndecodableFragmentException(what + " has no frames");
    }
    frames.sort(Comparator.comparing(VideoFrame::timestamp));
    return frames;
  }

  /** Copies the picture out of FFmpeg's buffer, row by row (rows may be padded). */
  private static byte[] packed(Frame frame) {
    ByteBuffer image = ((ByteBuffer) frame.image[0]).duplicate();
    int row = frame.imageWidth * 3;
    byte[] out = new byte[row * frame.imageHeight];
    for (int y = 0; y < frame.imageHeight; y++) {
      image.position(y * frame.imageStride);
      image.get(out, y * row, row);
    }
    return out;
  }
}
