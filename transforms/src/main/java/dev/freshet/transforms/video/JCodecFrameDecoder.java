package dev.freshet.transforms.video;

import com.amazonaws.kinesisvideo.parser.ebml.EBMLTypeInfo;
import com.amazonaws.kinesisvideo.parser.ebml.MkvTypeInfos;
import com.amazonaws.kinesisvideo.parser.mkv.Frame;
import com.amazonaws.kinesisvideo.parser.mkv.MkvDataElement;
import com.amazonaws.kinesisvideo.parser.mkv.MkvElementVisitor;
import com.amazonaws.kinesisvideo.parser.mkv.MkvEndMasterElement;
import com.amazonaws.kinesisvideo.parser.mkv.MkvStartMasterElement;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jcodec.codecs.h264.H264Decoder;
import org.jcodec.codecs.h264.H264Utils;
import org.jcodec.codecs.h264.io.model.SeqParameterSet;
import org.jcodec.codecs.h264.io.model.VUIParameters;
import org.jcodec.codecs.h264.mp4.AvcCBox;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Picture;
import org.jcodec.common.model.Rect;
import org.jcodec.scale.ColorUtil;
import org.jcodec.scale.Transform;

/**
 * H.264 in Matroska decoded in pure Java: the Kinesis Video parser library's streaming reader
 * finds the track's codec private data (an {@code avcC} record with SPS and PPS) and the
 * SimpleBlocks, and JCodec's {@link H264Decoder} decodes them. Frames come out in presentation
 * order (sorted by timecode: the decoder hands back each picture in decoding order).
 */
final class JCodecFrameDecoder implements FrameDecoder {
  private static final long serialVersionUID = 1L;
  private static final String H264 = "V_MPEG4/ISO/AVC";
  /** Matroska's default: timecodes count milliseconds. */
  private static final long DEFAULT_TIMECODE_SCALE_NS = 1_000_000L;

  @Override
  public List<VideoFrame> decode(VideoFragment fragment) throws UndecodableFragmentException {
    Collector collector = new Collector(fragment);
    try {
      MatroskaWalk.walk(new ByteArrayInputStream(fragment.mkv()), collector,
          "fragment " + fragment.fragmentNumber() + " of " + fragment.streamName());
    } catch (IOException e) {
      throw new UndecodableFragmentException(e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new UndecodableFragmentException(e.getCause().getMessage(), e.getCause());
    }
    if (collector.error != null) {
      throw collector.error;
    }
    if (collector.videoTrack < 0) {
      throw new UndecodableFragmentException("fragment " + fragment.fragmentNumber() + " of "
          + fragment.streamName() + " has no H.264 video track (" + H264 + ")");
    }
    if (collector.frames.isEmpty()) {
      throw new UndecodableFragmentException("fragment " + fragment.fragmentNumber() + " of "
          + fragment.streamName() + " has no frames");
    }
    List<VideoFrame> frames = collector.frames;
    frames.sort(Comparator.comparing(VideoFrame::timestamp));
    return frames;
  }

  /** Reads tracks, timecodes and blocks, and decodes each video block as it comes. */
  private static final class Collector extends MkvElementVisitor {
    private final VideoFragment fragment;
    private final List<VideoFrame> frames = new ArrayList<>();
    private UndecodableFragmentException error;

    private long timecodeScaleNs = DEFAULT_TIMECODE_SCALE_NS;
    private long clusterTimecode;
    private Long firstClusterTimecode;
    // The track being read in Tracks, and the video track once found.
    private long trackNumber = -1;
    private String codecId;
    private ByteBuffer codecPrivate;
    private int pixelWidth;
    private int pixelHeight;
    private long videoTrack = -1;
    private int width;
    private int height;
    private H264Decoder decoder;
    private AvcCBox avcC;
    private Picture buffer;
    private Picture rgb;
    private Transform toRgb;

    Collector(VideoFragment fragment) {
      this.fragment = fragment;
    }

    @Override
    public boolean isDone() {
      return error != null;
    }

    @Override
    public void visit(MkvStartMasterElement element) {
      if (type(element).equals(MkvTypeInfos.TRACKENTRY)) {
        trackNumber = -1;
        codecId = null;
        codecPrivate = null;
        pixelWidth = 0;
        pixelHeight = 0;
      }
    }

    @Override
    public void visit(MkvEndMasterElement element) {
      if (type(element).equals(MkvTypeInfos.TRACKENTRY) && videoTrack < 0 && H264.equals(codecId)) {
        openVideoTrack();
      }
    }

    @Override
    public void visit(MkvDataElement element) {
      if (error != null) {
        return;
      }
      EBMLTypeInfo type = type(element);
      if (type.equals(MkvTypeInfos.TIMECODESCALE)) {
        timecodeScaleNs = ((BigInteger) element.getValueCopy().getVal()).longValueExact();
      } else if (type.equals(MkvTypeInfos.TRACKNUMBER)) {
        trackNumber = ((BigInteger) element.getValueCopy().getVal()).longValueExact();
      } else if (type.equals(MkvTypeInfos.CODECID)) {
        codecId = (String) element.getValueCopy().getVal();
      } else if (type.equals(MkvTypeInfos.CODECPRIVATE)) {
        codecPrivate = ((ByteBuffer) element.getValueCopy().getVal()).duplicate();
      } else if (type.equals(MkvTypeInfos.PIXELWIDTH)) {
        pixelWidth = ((BigInteger) element.getValueCopy().getVal()).intValueExact();
      } else if (type.equals(MkvTypeInfos.PIXELHEIGHT)) {
        pixelHeight = ((BigInteger) element.getValueCopy().getVal()).intValueExact();
      } else if (type.equals(MkvTypeInfos.TIMECODE)) {
        clusterTimecode = ((BigInteger) element.getValueCopy().getVal()).longValueExact();
      } else if (type.equals(MkvTypeInfos.SIMPLEBLOCK)) {
        Frame frame = (Frame) element.getValueCopy().getVal();
        if (videoTrack < 0) {
          error = new UndecodableFragmentException("fragment " + fragment.fragmentNumber()
              + " has a block before any H.264 track with codec private data (" + H264 + ")");
        } else if (frame.getTrackNumber() == videoTrack) {
          decodeBlock(frame);
        }
      }
    }

    private void openVideoTrack() {
      if (codecPrivate == null || !codecPrivate.hasRemaining()) {
        error = new UndecodableFragmentException("track " + trackNumber + " of fragment "
            + fragment.fragmentNumber() + " has no H.264 codec private data (avcC with SPS and PPS)");
        return;
      }
      if (pixelWidth <= 0 || pixelHeight <= 0) {
        error = new UndecodableFragmentException("track " + trackNumber + " of fragment "
            + fragment.fragmentNumber() + " declares no picture size");
        return;
      }
      try {
        avcC = AvcCBox.parseAvcCBox(codecPrivate.duplicate());
      } catch (RuntimeException e) {
        error = new UndecodableFragmentException("the codec private data of fragment "
            + fragment.fragmentNumber() + " is not an avcC record: " + e, e);
        return;
      }
      videoTrack = trackNumber;
      width = pixelWidth;
      height = pixelHeight;
      decoder = new H264Decoder();
      decoder.addSps(avcC.getSpsList());
      decoder.addPps(avcC.getPpsList());
      // H.264 codes whole macroblocks: the decoded picture is padded to a multiple of 16.
      // Most cameras code "TV range" luma (16–235); the SPS says when samples use the full 0–255.
      ColorSpace yuv = fullRange(avcC) ? ColorSpace.YUV420J : ColorSpace.YUV420;
      buffer = Picture.create((width + 15) & ~15, (height + 15) & ~15, yuv);
      rgb = Picture.create((width + 15) & ~15, (height + 15) & ~15, ColorSpace.RGB);
      toRgb = ColorUtil.getTransform(yuv, ColorSpace.RGB);
    }

    private static boolean fullRange(AvcCBox avcC) {
      if (avcC.getSpsList().isEmpty()) {
        return false;
      }
      VUIParameters vui = SeqParameterSet.read(avcC.getSpsList().get(0).duplicate()).vuiParams;
      return vui != null && vui.videoFullRangeFlag;
    }

    private void decodeBlock(Frame frame) {
      Picture picture;
      try {
        picture = decoder.decodeFrameFromNals(H264Utils.splitMOVPacket(frame.getFrameData().duplicate(), avcC),
            buffer.getData());
      } catch (RuntimeException e) {
        error = new UndecodableFragmentException("H.264 block at timecode " + (clusterTimecode + frame.getTimeCode())
            + " of fragment " + fragment.fragmentNumber() + " could not be decoded: " + e, e);
        return;
      }
      if (picture == null) {
        error = new UndecodableFragmentException("H.264 block at timecode " + (clusterTimecode + frame.getTimeCode())
            + " of fragment " + fragment.fragmentNumber() + " decoded to no picture");
        return;
      }
      toRgb.transform(picture, rgb);
      if (firstClusterTimecode == null) {
        firstClusterTimecode = clusterTimecode;
      }
      long sinceStart = Math.multiplyExact(clusterTimecode - firstClusterTimecode + frame.getTimeCode(), timecodeScaleNs);
      frames.add(VideoFrame.of(fragment.streamName(), fragment.fragmentNumber(),
          fragment.producerTimestamp().plusNanos(sinceStart), width, height, frame.isKeyFrame(),
          packedRgb(picture.getCrop())));
    }

    /** JCodec keeps samples as signed bytes centred on 0; the frame holds the usual 0–255, cropped. */
    private byte[] packedRgb(Rect crop) {
      byte[] plane = rgb.getPlaneData(0);
      int stride = rgb.getWidth() * 3;
      int x0 = crop == null ? 0 : crop.getX();
      int y0 = crop == null ? 0 : crop.getY();
      byte[] out = new byte[width * height * 3];
      for (int y = 0; y < height; y++) {
        int from = (y0 + y) * stride + x0 * 3;
        int to = y * width * 3;
        for (int i = 0; i < width * 3; i++) {
          out[to + i] = (byte) (plane[from + i] + 128);
        }
      }
      return out;
    }

    private static EBMLTypeInfo type(com.amazonaws.kinesisvideo.parser.mkv.MkvElement element) {
      return element.getElementMetaData().getTypeInfo();
    }
  }
}
