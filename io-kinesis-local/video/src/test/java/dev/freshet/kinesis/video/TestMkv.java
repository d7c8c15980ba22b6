package dev.freshet.kinesis.video;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.containers.mkv.MKVParser;
import org.jcodec.containers.mkv.MKVType;
import org.jcodec.containers.mkv.boxes.EbmlBase;
import org.jcodec.containers.mkv.boxes.EbmlBin;
import org.jcodec.containers.mkv.boxes.EbmlMaster;
import org.jcodec.containers.mkv.boxes.EbmlUint;
import org.jcodec.containers.mkv.boxes.MkvBlock;

/**
 * Matroska for the tests: synthetic media written with our EBML writer, and media read back with
 * JCodec's MKVParser, a reader independent of ours.
 */
final class TestMkv {
  static final Path CAPTURES = Path.of(System.getProperty("kvs.testdata", "../../../shared/testdata/kvs"));

  private TestMkv() {}

  static byte[] capture(String name) throws IOException {
    Path path = CAPTURES.resolve(name);
    if (!Files.isRegularFile(path)) {
      path = Path.of("/work/shared/testdata/kvs").resolve(name);
    }
    return Files.readAllBytes(path);
  }

  /** EBML header + Segment of unknown size + Info + Tracks with one H.264 track. */
  static byte[] header(boolean codecPrivate) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream ebml = new ByteArrayOutputStream();
    Ebml.element(ebml, Ebml.DOC_TYPE, Ebml.string("matroska"));
    Ebml.element(out, Ebml.EBML, ebml.toByteArray());
    Ebml.writeId(out, Ebml.SEGMENT);
    Ebml.writeSize(out, Ebml.UNKNOWN_SIZE);
    Ebml.element(out, Ebml.INFO, Ebml.element(Ebml.TIMECODE_SCALE, Ebml.uint(1_000_000)));
    ByteArrayOutputStream track = new ByteArrayOutputStream();
    Ebml.element(track, Ebml.TRACK_NUMBER, Ebml.uint(1));
    Ebml.element(track, Ebml.CODEC_ID, Ebml.string("V_MPEG4/ISO/AVC"));
    if (codecPrivate) {
      Ebml.element(track, Ebml.CODEC_PRIVATE, new byte[] {1, 0x4d, 0, 0x1e, (byte) 0xff, (byte) 0xe1, 0, 0});
    }
    Ebml.element(out, Ebml.TRACKS, Ebml.element(Ebml.TRACK_ENTRY, track.toByteArray()));
    return out.toByteArray();
  }

  /** A Cluster with the timecode and one SimpleBlock of {@code frameBytes} per relative timecode. */
  static byte[] cluster(long timecode, int frameBytes, int... relativeTimecodes) {
    ByteArrayOutputStream children = new ByteArrayOutputStream();
    Ebml.element(children, Ebml.TIMECODE, Ebml.uint(timecode));
    for (int relative : relativeTimecodes) {
      byte[] block = new byte[4 + frameBytes];
      block[0] = (byte) 0x81; // track 1
      block[1] = (byte) (relative >> 8);
      block[2] = (byte) relative;
      block[3] = (byte) 0x80; // keyframe
      for (int i = 4; i < block.length; i++) {
        block[i] = (byte) (i * 31 + relative + timecode);
      }
      Ebml.element(children, Ebml.SIMPLE_BLOCK, block);
    }
    return Ebml.element(Ebml.CLUSTER, children.toByteArray());
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  // ---- reading with JCodec ----

  /** What JCodec sees of one GetMedia document. */
  record Document(List<String[]> tags, long clusterTimecode, List<byte[]> blocks) {
    String tag(String name) {
      for (String[] tag : tags) {
        if (tag[0].equals(name)) {
          return tag[1];
        }
      }
      return null;
    }
  }

  /** Parses concatenated Matroska documents with JCodec's MKVParser: one entry per Segment. */
  static List<Document> parse(byte[] media, Path tempDir) throws IOException {
    Path file = Files.createTempFile(tempDir, "media", ".mkv");
    Files.write(file, media);
    List<EbmlMaster> tree;
    try (var channel = NIOUtils.readableChannel(file.toFile())) {
      tree = new MKVParser(channel).parse();
    }
    List<Document> documents = new ArrayList<>();
    // One document per Cluster, with the tags of its segment around it (before it, and after it
    // up to the next cluster): GetMedia writes one cluster per segment.
    for (EbmlMaster top : tree) {
      if (!MKVType.Segment.equals(top.type)) {
        continue;
      }
      List<String[]> tags = new ArrayList<>();
      for (EbmlBase child : top.children) {
        if (MKVType.Tags.equals(child.type)) {
          collectTags((EbmlMaster) child, tags);
        } else if (MKVType.Cluster.equals(child.type)) {
          long timecode = -1;
          List<byte[]> blocks = new ArrayList<>();
          for (EbmlBase inCluster : ((EbmlMaster) child).children) {
            if (MKVType.Timecode.equals(inCluster.type)) {
              timecode = ((EbmlUint) inCluster).getUint();
            } else if (MKVType.SimpleBlock.equals(inCluster.type)) {
              // JCodec reads a block's header (track, timecode, lacing) and leaves its payload in the file.
              MkvBlock block = (MkvBlock) inCluster;
              blocks.add(java.util.Arrays.copyOfRange(media, (int) block.dataOffset,
                  (int) (block.dataOffset + block.dataLen)));
            }
          }
          documents.add(new Document(tags, timecode, blocks));
        }
      }
    }
    return documents;
  }

  private static void collectTags(EbmlMaster master, List<String[]> tags) {
    for (EbmlBase child : master.children) {
      if (MKVType.SimpleTag.equals(child.type)) {
        String name = null;
        String value = null;
        for (EbmlBase field : ((EbmlMaster) child).children) {
          if (MKVType.TagName.equals(field.type)) {
            name = text((EbmlBin) field);
          } else if (MKVType.TagString.equals(field.type)) {
            value = text((EbmlBin) field);
          }
        }
        tags.add(new String[] {name, value});
      } else if (child instanceof EbmlMaster nested) {
        collectTags(nested, tags);
      }
    }
  }

  private static String text(EbmlBin bin) {
    byte[] bytes = new byte[bin.data.remaining()];
    bin.data.duplicate().get(bytes);
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] == 0) {
      end--;
    }
    return new String(bytes, 0, end, java.nio.charset.StandardCharsets.UTF_8);
  }
}
