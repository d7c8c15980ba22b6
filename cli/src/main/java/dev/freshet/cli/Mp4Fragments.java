package dev.freshet.cli;

import dev.freshet.kinesis.video.MkvWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jcodec.codecs.h264.H264Utils;
import org.jcodec.codecs.h264.mp4.AvcCBox;
import org.jcodec.common.Codec;
import org.jcodec.common.DemuxerTrackMeta;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.io.SeekableByteChannel;
import org.jcodec.common.model.Packet;
import org.jcodec.common.model.Size;
import org.jcodec.containers.mp4.boxes.VideoSampleEntry;
import org.jcodec.containers.mp4.demuxer.AbstractMP4DemuxerTrack;
import org.jcodec.containers.mp4.demuxer.MP4Demuxer;

/**
 * An MP4 file's H.264 video as the MKV a producer sends to PutMedia: one cluster (fragment) per
 * keyframe, the frames as stored in the MP4 (length-prefixed NAL units, which is also Matroska's
 * {@code V_MPEG4/ISO/AVC} format), and the {@code avcC} record as codec private data. Audio and
 * other tracks are left out.
 */
final class Mp4Fragments {
  private Mp4Fragments() {}

  static byte[] toMkv(Path file) throws IOException {
    try (SeekableByteChannel channel = NIOUtils.readableChannel(file.toFile())) {
      MP4Demuxer demuxer = MP4Demuxer.createRawMP4Demuxer(channel);
      if (demuxer.getVideoTracks().isEmpty()) {
        throw new CliException(file + " has no video track");
      }
      AbstractMP4DemuxerTrack track = (AbstractMP4DemuxerTrack) demuxer.getVideoTracks().get(0);
      DemuxerTrackMeta meta = track.getMeta();
      if (meta.getCodec() != Codec.H264) {
        throw new CliException(file + ": the video is " + meta.getCodec() + "; only H.264 MP4 files are cut into fragments");
      }
      AvcCBox avcC = H264Utils.parseAVCC((VideoSampleEntry) track.getSampleEntries()[0]);
      ByteBuffer record = H264Utils.getAvcCData(avcC);
      byte[] codecPrivate = new byte[record.remaining()];
      record.get(codecPrivate);
      Size size = meta.getVideoCodecMeta().getSize();

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(MkvWriter.header("V_MPEG4/ISO/AVC", codecPrivate, size.getWidth(), size.getHeight()));
      List<Long> times = new ArrayList<>();
      List<Boolean> keys = new ArrayList<>();
      List<byte[]> frames = new ArrayList<>();
      Packet packet;
      while ((packet = track.nextFrame()) != null) {
        if (packet.isKeyFrame() && !frames.isEmpty()) {
          out.writeBytes(cluster(times, keys, frames));
        }
        ByteBuffer data = packet.getData();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        times.add(packet.getPts() * 1000 / packet.getTimescale());
        keys.add(packet.isKeyFrame());
        frames.add(bytes);
      }
      if (!frames.isEmpty()) {
        out.writeBytes(cluster(times, keys, frames));
      }
      return out.toByteArray();
    }
  }

  private static byte[] cluster(List<Long> times, List<Boolean> keys, List<byte[]> frames) {
    long[] millis = new long[times.size()];
    boolean[] key = new boolean[keys.size()];
    long start = Long.MAX_VALUE;
    for (int i = 0; i < millis.length; i++) {
      millis[i] = times.get(i);
      key[i] = keys.get(i);
      start = Math.min(start, millis[i]);
    }
    byte[] cluster = MkvWriter.cluster(start, millis, key, frames.toArray(byte[][]::new));
    times.clear();
    keys.clear();
    frames.clear();
    return cluster;
  }
}
