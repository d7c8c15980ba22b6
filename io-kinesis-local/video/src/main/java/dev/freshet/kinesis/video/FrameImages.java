package dev.freshet.kinesis.video;

import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.jcodec.codecs.h264.H264Decoder;
import org.jcodec.codecs.h264.H264Utils;
import org.jcodec.codecs.h264.io.model.SeqParameterSet;
import org.jcodec.codecs.h264.io.model.VUIParameters;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Picture;
import org.jcodec.common.model.Rect;
import org.jcodec.common.model.Size;
import org.jcodec.scale.ColorUtil;
import org.jcodec.scale.Transform;

/**
 * Decodes a fragment's H.264 track with JCodec (pure Java) into images, and encodes images as
 * JPEG or PNG with {@link ImageIO}. A fragment starts with a key frame, so decoding runs from its
 * first sample to the last one asked for, once.
 */
final class FrameImages {
  private FrameImages() {}

  /**
   * The pictures of the samples at {@code indices} (in the track's decoding order), full size.
   *
   * @throws MkvException if a sample cannot be decoded
   */
  static Map<Integer, BufferedImage> decode(H264Track track, NavigableSet<Integer> indices) {
    Map<Integer, BufferedImage> images = new TreeMap<>();
    if (indices.isEmpty()) {
      return images;
    }
    if (track.avcC().getSpsList().isEmpty() || track.avcC().getPpsList().isEmpty()) {
      throw new MkvException(PutMediaError.INVALID_MKV_DATA, "the codec private data has no SPS or PPS");
    }
    SeqParameterSet sps = SeqParameterSet.read(track.avcC().getSpsList().get(0).duplicate());
    Size size = H264Utils.getPicSize(sps);
    VUIParameters vui = sps.vuiParams;
    ColorSpace yuv = vui != null && vui.videoFullRangeFlag ? ColorSpace.YUV420J : ColorSpace.YUV420;
    int codedWidth = (sps.picWidthInMbsMinus1 + 1) * 16;
    int codedHeight = (sps.picHeightInMapUnitsMinus1 + 1) * 16 * (sps.frameMbsOnlyFlag ? 1 : 2);
    Picture buffer = Picture.create(codedWidth, codedHeight, yuv);
    Picture rgb = Picture.create(codedWidth, codedHeight, ColorSpace.RGB);
    Transform toRgb = ColorUtil.getTransform(yuv, ColorSpace.RGB);
    H264Decoder decoder = new H264Decoder();
    decoder.addSps(track.avcC().getSpsList());
    decoder.addPps(track.avcC().getPpsList());
    int last = indices.last();
    Iterator<Integer> wanted = indices.iterator();
    int next = wanted.next();
    for (int i = 0; i <= last && i < track.samples().size(); i++) {
      H264Track.Sample sample = track.samples().get(i);
      Picture picture;
      try {
        // JCodec unescapes NAL units in place: it gets a copy, the stored bytes stay as they are.
        ByteBuffer data = ByteBuffer.allocate(sample.data().remaining()).put(sample.data().duplicate()).flip();
        picture = decoder.decodeFrameFromNals(H264Utils.splitMOVPacket(data, track.avcC()), buffer.getData());
      } catch (RuntimeException e) {
        throw new MkvException(PutMediaError.INVALID_MKV_DATA, "frame " + i + " could not be decoded: " + e);
      }
      if (picture == null) {
        throw new MkvException(PutMediaError.INVALID_MKV_DATA, "frame " + i + " decoded to no picture");
      }
      if (i == next) {
        toRgb.transform(picture, rgb);
        images.put(i, image(rgb, picture.getCrop(), size));
        if (!wanted.hasNext()) {
          break;
        }
        next = wanted.next();
      }
    }
    return images;
  }

  /** JCodec keeps samples as signed bytes centred on 0: back to 0–255, cropped to the picture's size. */
  private static BufferedImage image(Picture rgb, Rect crop, Size size) {
    int width = crop != null ? crop.getWidth() : size.getWidth();
    int height = crop != null ? crop.getHeight() : size.getHeight();
    int x0 = crop != null ? crop.getX() : 0;
    int y0 = crop != null ? crop.getY() : 0;
    byte[] plane = rgb.getPlaneData(0);
    int stride = rgb.getWidth() * 3;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int[] row = new int[width];
    for (int y = 0; y < height; y++) {
      int from = (y0 + y) * stride + x0 * 3;
      for (int x = 0; x < width; x++) {
        int r = plane[from + 3 * x] + 128;
        int g = plane[from + 3 * x + 1] + 128;
        int b = plane[from + 3 * x + 2] + 128;
        row[x] = (r << 16) | (g << 8) | b;
      }
      image.setRGB(0, y, width, 1, row, 0, width);
    }
    return image;
  }

  /** {@code image} scaled to {@code width}×{@code height} (bilinear), or itself when it has that size. */
  static BufferedImage scale(BufferedImage image, int width, int height) {
    if (image.getWidth() == width && image.getHeight() == height) {
      return image;
    }
    BufferedImage scaled = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    var graphics = scaled.createGraphics();
    try {
      graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      graphics.drawImage(image, 0, 0, width, height, null);
    } finally {
      graphics.dispose();
    }
    return scaled;
  }

  /** PNG, or JPEG at {@code jpegQuality} (1–100). */
  static byte[] encode(BufferedImage image, boolean png, int jpegQuality) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (png) {
        ImageIO.write(image, "png", out);
        return out.toByteArray();
      }
      ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
      try (var stream = new MemoryCacheImageOutputStream(out)) {
        writer.setOutput(stream);
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(jpegQuality / 100f);
        writer.write(null, new IIOImage(image, null, null), param);
      } finally {
        writer.dispose();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
