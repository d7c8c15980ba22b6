package dev.freshet.transforms.video;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Native FFmpeg (libavcodec 7.1 through JavaCV) decoding a fragment's Matroska document from
 * memory into YUV 4:2:0 planes (RGB when a frame is asked for it), one decoding thread per fragment so that parallelism comes from the
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
      // The decoder's own 8-bit 4:2:0 planes (swscale only copies them, or converts another chroma
      // format or depth); RGB waits until someone asks for it (VideoFrame#rgb).
      grabber.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
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
        frames.add(planes(frame, fragment.streamName(), fragment.fragmentNumber(),
            fragment.producerTimestamp().plusNanos((frame.timestamp - first) * 1000)));
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

  /** Copies the three planes out of FFmpeg's picture (JavaCV's converted AVFrame; rows maybe padded), packed. */
  private static VideoFrame planes(Frame frame, String stream, String fragmentNumber, java.time.Instant timestamp) {
    AVFrame picture = (AVFrame) frame.opaque;
    int width = frame.imageWidth;
    int height = frame.imageHeight;
    int chromaWidth = (width + 1) / 2;
    int chromaHeight = (height + 1) / 2;
    byte[] y = plane(picture, 0, width, height);
    byte[] u = plane(picture, 1, chromaWidth, chromaHeight);
    byte[] v = plane(picture, 2, chromaWidth, chromaHeight);
    return VideoFrame.ofYuv420(stream, fragmentNumber, timestamp, width, height, frame.keyFrame, y, u, v);
  }

  private static byte[] plane(AVFrame picture, int index, int width, int height) {
    BytePointer data = picture.data(index);
    int stride = picture.linesize(index);
    byte[] out = new byte[width * height];
    if (stride == width) {
      data.get(out, 0, out.length);
      return out;
    }
    for (int row = 0; row < height; row++) {
      data.position((long) row * stride).get(out, row * width, width);
    }
    return out;
  }
}
