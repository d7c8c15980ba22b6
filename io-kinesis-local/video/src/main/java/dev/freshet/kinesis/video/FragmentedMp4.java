package dev.freshet.kinesis.video;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import org.jcodec.codecs.h264.H264Utils;
import org.jcodec.containers.mp4.boxes.Box;
import org.jcodec.containers.mp4.boxes.ChunkOffsetsBox;
import org.jcodec.containers.mp4.boxes.DataInfoBox;
import org.jcodec.containers.mp4.boxes.DataRefBox;
import org.jcodec.containers.mp4.boxes.FileTypeBox;
import org.jcodec.containers.mp4.boxes.FullBox;
import org.jcodec.containers.mp4.boxes.HandlerBox;
import org.jcodec.containers.mp4.boxes.Header;
import org.jcodec.containers.mp4.boxes.MediaBox;
import org.jcodec.containers.mp4.boxes.MediaHeaderBox;
import org.jcodec.containers.mp4.boxes.MediaInfoBox;
import org.jcodec.containers.mp4.boxes.MovieBox;
import org.jcodec.containers.mp4.boxes.MovieFragmentBox;
import org.jcodec.containers.mp4.boxes.MovieFragmentHeaderBox;
import org.jcodec.containers.mp4.boxes.MovieHeaderBox;
import org.jcodec.containers.mp4.boxes.NodeBox;
import org.jcodec.containers.mp4.boxes.SampleDescriptionBox;
import org.jcodec.containers.mp4.boxes.SampleEntry;
import org.jcodec.containers.mp4.boxes.SampleSizesBox;
import org.jcodec.containers.mp4.boxes.SampleToChunkBox;
import org.jcodec.containers.mp4.boxes.TimeToSampleBox;
import org.jcodec.containers.mp4.boxes.TrackFragmentBaseMediaDecodeTimeBox;
import org.jcodec.containers.mp4.boxes.TrackFragmentBox;
import org.jcodec.containers.mp4.boxes.TrackFragmentHeaderBox;
import org.jcodec.containers.mp4.boxes.TrackHeaderBox;
import org.jcodec.containers.mp4.boxes.TrakBox;
import org.jcodec.containers.mp4.boxes.TrunBox;
import org.jcodec.containers.mp4.boxes.VideoMediaHeaderBox;
import org.jcodec.containers.mp4.boxes.VideoSampleEntry;

/**
 * Fragmented MP4 (ISO BMFF, the CMAF form HLS and DASH play) of a stored fragment's H.264 track,
 * written with JCodec's box classes: an initialization segment ({@code ftyp}, {@code moov} with
 * the {@code avc1} sample entry holding the fragment's codec private data as its {@code avcC}, and
 * {@code mvex}/{@code trex}) and a media segment per fragment ({@code moof} with {@code mfhd} and
 * {@code traf(tfhd, tfdt, trun)}, then {@code mdat} with the frames as stored). JCodec 0.2.5 has
 * the {@code moof} boxes but not {@code mvex} and {@code trex}, which are written here.
 *
 * <p>Times are in milliseconds (the track's timescale is 1000), as Matroska's are. A segment's
 * decode times are its frames' presentation times in increasing order, so the first frame (a key
 * frame) starts at the fragment's producer timestamp; frames shown out of decode order get signed
 * composition offsets (a version 1 {@code trun}).
 */
final class FragmentedMp4 {
  static final int TIMESCALE = 1000;
  private static final int TRACK_ID = 1;
  private static final int KEY_FLAGS = 0x02000000; // sample_depends_on = 2 (an I picture)
  private static final int DELTA_FLAGS = 0x01010000; // sample_depends_on = 1, sample_is_non_sync_sample
  private static final int DEFAULT_BASE_IS_MOOF = 0x020000;

  private FragmentedMp4() {}

  /** The initialization segment for fragments carrying {@code track}'s codec private data. */
  static byte[] init(H264Track track) {
    VideoSampleEntry entry = (VideoSampleEntry) H264Utils.createMOVSampleEntryFromAvcC(track.avcC());
    // The codec private data as the producer sent it (JCodec's avcC writer drops the High
    // profile's chroma and bit depth fields).
    byte[] avcC = new byte[track.codecPrivate().remaining()];
    track.codecPrivate().duplicate().get(avcC);
    entry.replace("avcC", leaf("avcC", avcC));
    int width = entry.getWidth();
    int height = entry.getHeight();
    long now = new Date().getTime();

    MovieBox moov = MovieBox.createMovieBox();
    moov.add(MovieHeaderBox.createMovieHeaderBox(TIMESCALE, 0, 1.0f, 1.0f, now, now,
        new int[] {0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000}, TRACK_ID + 1));
    TrakBox trak = TrakBox.createTrakBox();
    moov.add(trak);
    TrackHeaderBox tkhd = TrackHeaderBox.createTrackHeaderBox(TRACK_ID, 0, width, height, now, now, 0f, (short) 0, 0,
        new int[] {0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000});
    tkhd.setFlags(0x3); // enabled, in the movie
    trak.add(tkhd);
    MediaBox mdia = MediaBox.createMediaBox();
    trak.add(mdia);
    mdia.add(MediaHeaderBox.createMediaHeaderBox(TIMESCALE, 0, 0, now, now, 0));
    mdia.add(HandlerBox.createHandlerBox("\0\0\0\0", "vide", "\0\0\0\0", 0, 0));
    MediaInfoBox minf = MediaInfoBox.createMediaInfoBox();
    mdia.add(minf);
    minf.add(VideoMediaHeaderBox.createVideoMediaHeaderBox(0, 0, 0, 0));
    DataInfoBox dinf = DataInfoBox.createDataInfoBox();
    minf.add(dinf);
    DataRefBox dref = DataRefBox.createDataRefBox();
    dinf.add(dref);
    dref.add(leaf("url ", new byte[] {0, 0, 0, 1})); // the media is in this file
    NodeBox stbl = new NodeBox(new Header("stbl"));
    minf.add(stbl);
    stbl.add(SampleDescriptionBox.createSampleDescriptionBox(new SampleEntry[] {entry}));
    stbl.add(TimeToSampleBox.createTimeToSampleBox(new TimeToSampleBox.TimeToSampleEntry[0]));
    stbl.add(SampleToChunkBox.createSampleToChunkBox(new SampleToChunkBox.SampleToChunkEntry[0]));
    stbl.add(SampleSizesBox.createSampleSizesBox2(new int[0]));
    stbl.add(ChunkOffsetsBox.createChunkOffsetsBox(new long[0]));
    NodeBox mvex = new NodeBox(new Header("mvex"));
    mvex.add(new TrackExtendsBox(TRACK_ID));
    moov.add(mvex);

    FileTypeBox ftyp = FileTypeBox.createFileTypeBox("iso5", 512, List.of("iso5", "iso6", "mp41", "avc1"));
    ByteBuffer out = ByteBuffer.allocate(ftyp.estimateSize() + moov.estimateSize() + avcC.length + 4096);
    ftyp.write(out);
    moov.write(out);
    out.flip();
    return toArray(out);
  }

  /**
   * The media segment of one fragment: sequence number {@code sequence}, its frames {@code
   * track.samples()} at {@code startMillis} plus their offsets, the last lasting to {@code
   * endMillis} (or as long as the one before it, if that is not after it).
   */
  static byte[] media(int sequence, long startMillis, long endMillis, H264Track track) {
    List<H264Track.Sample> samples = track.samples();
    int count = samples.size();
    if (count == 0) {
      throw new MkvException(PutMediaError.INVALID_MKV_DATA, "the fragment has no frames of its H.264 track");
    }
    long[] pts = new long[count];
    for (int i = 0; i < count; i++) {
      pts[i] = startMillis + samples.get(i).offsetMillis();
    }
    long[] dts = pts.clone();
    Arrays.sort(dts);
    int[] durations = new int[count];
    int[] sizes = new int[count];
    int[] flags = new int[count];
    int[] compositionOffsets = new int[count];
    long mediaBytes = 0;
    for (int i = 0; i < count; i++) {
      long next = i + 1 < count ? dts[i + 1] : Math.max(endMillis, dts[i]);
      long duration = next - dts[i];
      if (duration <= 0) {
        duration = i > 0 ? durations[i - 1] : 1;
      }
      durations[i] = (int) duration;
      sizes[i] = samples.get(i).data().remaining();
      flags[i] = samples.get(i).key() ? KEY_FLAGS : DELTA_FLAGS;
      compositionOffsets[i] = (int) (pts[i] - dts[i]);
      mediaBytes += sizes[i];
    }
    TrunBox trun = TrunBox.create(count).dataOffset(0).sampleDuration(durations).sampleSize(sizes)
        .sampleFlags(flags).sampleCompositionOffset(compositionOffsets).create();
    trun.setVersion((byte) 1); // signed composition offsets
    TrackFragmentHeaderBox tfhd = TrackFragmentHeaderBox.createTrackFragmentHeaderBoxWithId(TRACK_ID);
    tfhd.setFlags(DEFAULT_BASE_IS_MOOF);
    TrackFragmentBaseMediaDecodeTimeBox tfdt =
        TrackFragmentBaseMediaDecodeTimeBox.createTrackFragmentBaseMediaDecodeTimeBox(dts[0]);
    tfdt.setVersion((byte) 1); // 64 bits: epoch milliseconds
    MovieFragmentHeaderBox mfhd = MovieFragmentHeaderBox.createMovieFragmentHeaderBox();
    mfhd.setSequenceNumber(sequence);
    TrackFragmentBox traf = TrackFragmentBox.createTrackFragmentBox();
    traf.add(tfhd);
    traf.add(tfdt);
    traf.add(trun);
    MovieFragmentBox moof = MovieFragmentBox.createMovieFragmentBox();
    moof.add(mfhd);
    moof.add(traf);

    ByteBuffer header = ByteBuffer.allocate(moof.estimateSize() + 16L * count > Integer.MAX_VALUE
        ? Integer.MAX_VALUE : moof.estimateSize() + 16 * count + 256);
    moof.write(header);
    int moofSize = header.position();
    // The frames start after the moof and the mdat's 8-byte header (offsets count from the moof).
    trun.setDataOffset(moofSize + 8);
    header.clear();
    moof.write(header);
    header.flip();
    if (mediaBytes + 8 > Integer.MAX_VALUE - moofSize) {
      throw new MkvException(PutMediaError.MAX_FRAGMENT_SIZE_REACHED, "the fragment is too large for one segment");
    }
    ByteBuffer out = ByteBuffer.allocate(moofSize + 8 + (int) mediaBytes);
    out.put(header);
    out.putInt((int) (8 + mediaBytes));
    out.put(new byte[] {'m', 'd', 'a', 't'});
    for (H264Track.Sample sample : samples) {
      out.put(sample.data().duplicate());
    }
    return out.array();
  }

  private static Box leaf(String fourcc, byte[] payload) {
    return Box.createLeafBox(Header.createHeader(fourcc, 8 + payload.length), ByteBuffer.wrap(payload));
  }

  private static byte[] toArray(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  /** {@code trex}: the track's fragment defaults (sample description 1, the rest given per sample). */
  private static final class TrackExtendsBox extends FullBox {
    private final int trackId;

    TrackExtendsBox(int trackId) {
      super(new Header("trex"));
      this.trackId = trackId;
    }

    @Override
    protected void doWrite(ByteBuffer out) {
      super.doWrite(out);
      out.putInt(trackId);
      out.putInt(1); // default_sample_description_index
      out.putInt(0); // default_sample_duration
      out.putInt(0); // default_sample_size
      out.putInt(0); // default_sample_flags
    }

    @Override
    public int estimateSize() {
      return 32;
    }
  }
}
