package dev.freshet.kinesis.video;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PutMedia without HTTP: reads a Matroska stream whose clusters are fragments, checks each as the
 * service does, stores it in a {@link VideoFragmentStore} and reports BUFFERING, RECEIVED and
 * PERSISTED acknowledgements, or one ERROR at the first bad fragment, after which it stops (what
 * was persisted before stays; the bad fragment is not stored).
 *
 * <pre>{@code
 * try (InputStream mkv = Files.newInputStream(file)) {
 *   int stored = MediaIngest.run(store, "camera-1", mkv, TimecodeType.RELATIVE, null,
 *       ack -> System.out.println(new String(ack.toJson(), UTF_8)));
 * }
 * }</pre>
 *
 * <p>The stream may hold several EBML documents one after the other (a producer restarting its
 * segment); each fragment is stored with the segment header (Info, Tracks, Tags) it came under.
 * Errors: not Matroska or broken EBML, a segment without Tracks, an H.264/H.265/AAC track without
 * CodecPrivate, more than 3 tracks, a block of an undeclared track ({@code INVALID_MKV_DATA},
 * {@code MORE_THAN_ALLOWED_TRACKS_FOUND}, {@code TRACK_NUMBER_MISMATCH}); a fragment over 50 MiB
 * ({@code MAX_FRAGMENT_SIZE_REACHED}) or over 10 s ({@code MAX_FRAGMENT_DURATION_REACHED}); a
 * fragment whose producer timestamp is before the previous one's ({@code
 * FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS}).
 */
public final class MediaIngest {
  private static final Logger LOG = LoggerFactory.getLogger(MediaIngest.class);
  static final long MAX_FRAGMENT_BYTES = 50L << 20;
  static final long MAX_FRAGMENT_MILLIS = 10_000;
  static final int MAX_HEADER_ELEMENT_BYTES = 1 << 20;
  static final int MAX_TRACKS = 3;
  private static final Set<String> CODECS_NEEDING_PRIVATE_DATA =
      Set.of("V_MPEG4/ISO/AVC", "V_MPEGH/ISO/HEVC", "A_AAC");

  /** How cluster timecodes map to producer timestamps (header {@code x-amzn-fragment-timecode-type}). */
  public enum TimecodeType {
    /** Cluster timecodes are absolute (since the epoch, in TimecodeScale units). */
    ABSOLUTE,
    /** Cluster timecodes count from the producer start timestamp. */
    RELATIVE
  }

  /** Receives the acknowledgements, in order, on the ingesting thread. */
  @FunctionalInterface
  public interface AckListener {
    void onAck(Ack ack) throws IOException;
  }

  private final VideoFragmentStore store;
  private final VideoStream stream;
  private final EbmlInput in;
  private final TimecodeType timecodeType;
  private final long producerStartMillis;
  private final AckListener acks;

  // The segment header in force: the elements before the current run of clusters.
  private final ByteArrayOutputStream header = new ByteArrayOutputStream();
  private boolean clusterSinceHeader;
  private boolean sawEbmlHeader;
  private boolean sawTracks;
  private long timecodeScaleNanos = 1_000_000;
  private final Map<Long, Long> defaultDurations = new HashMap<>();
  private @Nullable Long lastProducerTimestamp;
  private int stored;

  private MediaIngest(VideoFragmentStore store, VideoStream stream, InputStream in, TimecodeType timecodeType,
      long producerStartMillis, AckListener acks) {
    this.store = store;
    this.stream = stream;
    // Element headers are read byte by byte: buffer them.
    this.in = new EbmlInput(new java.io.BufferedInputStream(in, 64 << 10));
    this.timecodeType = timecodeType;
    this.producerStartMillis = producerStartMillis;
    this.acks = acks;
  }

  /**
   * Ingests {@code media} into {@code streamName} until it ends or a fragment is refused; returns
   * how many fragments were stored.
   *
   * @param producerStartMillis for {@link TimecodeType#RELATIVE}: the producer's start; null takes
   *     the server's time now
   * @throws VideoException ResourceNotFoundException if the stream does not exist,
   *     ConnectionLimitExceededException if another session is putting media into it
   * @throws IOException if an acknowledgement cannot be delivered (the client went away)
   */
  public static int run(VideoFragmentStore store, String streamName, InputStream media, TimecodeType timecodeType,
      @Nullable Long producerStartMillis, AckListener acks) throws IOException {
    checkNotNull(media, "media");
    checkNotNull(timecodeType, "timecodeType");
    checkNotNull(acks, "acks");
    VideoStream stream = store.stream(streamName);
    if (!stream.ingesting.compareAndSet(false, true)) {
      throw new VideoException("ConnectionLimitExceededException", 400, "Another PutMedia session is "
          + "already putting media into " + streamName + "; one at a time per stream");
    }
    try {
      long start = producerStartMillis != null ? producerStartMillis : store.clock().millis();
      MediaIngest ingest = new MediaIngest(store, stream, media, timecodeType, start, acks);
      ingest.run();
      return ingest.stored;
    } finally {
      stream.ingesting.set(false);
    }
  }

  private void run() throws IOException {
    Long timecode = null;
    try {
      while (true) {
        EbmlInput.Header element = in.next();
        if (element == null) {
          return;
        }
        if (!sawEbmlHeader && element.id() != Ebml.EBML) {
          throw new MkvException(PutMediaError.INVALID_MKV_DATA, "The media is not Matroska: it starts with "
              + "element 0x" + Long.toHexString(element.id()) + " instead of an EBML header");
        }
        if (element.id() == Ebml.CLUSTER) {
          timecode = null;
          Cluster cluster = readCluster(element);
          timecode = cluster.timecode;
          fragment(cluster);
          continue;
        }
        if (element.id() == Ebml.SEGMENT) {
          continue; // descend: its children follow
        }
        if (element.size() == Ebml.UNKNOWN_SIZE) {
          throw new MkvException(PutMediaError.INVALID_MKV_DATA, "Element 0x" + Long.toHexString(element.id())
              + " at byte " + in.position() + " has an unknown size; only Segment and Cluster may");
        }
        if (element.id() == Ebml.EBML) {
          ebmlHeader(readSmall(element));
        } else if (element.id() == Ebml.INFO || element.id() == Ebml.TRACKS || element.id() == Ebml.TAGS) {
          headerElement(element, readSmall(element));
        } else {
          in.skip(element.size()); // SeekHead, Void, Cues, Chapters, Attachments, CRC-32...
        }
      }
    } catch (MkvException e) {
      error(timecode, e.error(), e.getMessage());
    } catch (EOFException e) {
      error(timecode, PutMediaError.INVALID_MKV_DATA, "The media is cut off: " + e.getMessage());
    } catch (IOException e) {
      // The body could not be read (the connection dropped); nobody may be left to tell.
      LOG.debug("Reading the media of {} failed", stream.info().streamName(), e);
      error(timecode, PutMediaError.STREAM_READ_ERROR, "Reading the media failed: " + e.getMessage());
    }
  }

  private void error(@Nullable Long timecode, PutMediaError error, String message) throws IOException {
    acks.onAck(Ack.error(timecode, timecode == null ? null : FragmentNumbers.of(stream.endOffset()), error, message));
  }

  private byte[] readSmall(EbmlInput.Header element) throws IOException {
    if (element.size() > MAX_HEADER_ELEMENT_BYTES) {
      throw new MkvException(PutMediaError.FRAGMENT_METADATA_LIMIT_REACHED, "Element 0x"
          + Long.toHexString(element.id()) + " has " + element.size() + " bytes; at most "
          + MAX_HEADER_ELEMENT_BYTES + " are accepted outside clusters");
    }
    return in.readPayload(element.size());
  }

  private void ebmlHeader(byte[] payload) {
    String docType = null;
    for (Ebml.Element child : Ebml.children(payload, 0, payload.length)) {
      if (child.id() == Ebml.DOC_TYPE) {
        docType = Ebml.readString(payload, child);
      }
    }
    if (!"matroska".equals(docType) && !"webm".equals(docType)) {
      throw new MkvException(PutMediaError.INVALID_MKV_DATA, "The media is not Matroska: its EBML DocType is "
          + (docType == null ? "missing" : "'" + FragmentNumbers.abbreviate(docType) + "'"));
    }
    sawEbmlHeader = true;
    startNewHeader();
  }

  private void startNewHeader() {
    header.reset();
    clusterSinceHeader = false;
    sawTracks = false;
    timecodeScaleNanos = 1_000_000;
    defaultDurations.clear();
  }

  private void headerElement(EbmlInput.Header element, byte[] payload) {
    if (element.id() == Ebml.TAGS && (clusterSinceHeader || isServiceTags(payload))) {
      // Tags between fragments are the producer's fragment metadata, and AWS_KINESISVIDEO_* tags
      // (media that came out of GetMedia) are the service's own: GetMedia writes fresh ones.
      return;
    }
    if (clusterSinceHeader) {
      startNewHeader();
    }
    if (element.id() == Ebml.INFO) {
      for (Ebml.Element child : Ebml.children(payload, 0, payload.length)) {
        if (child.id() == Ebml.TIMECODE_SCALE) {
          timecodeScaleNanos = Ebml.readUint(payload, child);
          if (timecodeScaleNanos <= 0) {
            throw new MkvException(PutMediaError.INVALID_MKV_DATA, "TimecodeScale must be positive");
          }
        }
      }
    } else if (element.id() == Ebml.TRACKS) {
      tracks(payload);
    }
    header.writeBytes(element.bytes());
    header.writeBytes(payload);
  }

  private static boolean isServiceTags(byte[] payload) {
    for (Ebml.Element tag : Ebml.children(payload, 0, payload.length)) {
      if (tag.id() != Ebml.TAG) {
        continue;
      }
      for (Ebml.Element simple : Ebml.children(payload, tag.payloadStart(), tag.payloadStart() + tag.payloadLength())) {
        if (simple.id() != Ebml.SIMPLE_TAG) {
          continue;
        }
        for (Ebml.Element field : Ebml.children(payload, simple.payloadStart(),
            simple.payloadStart() + simple.payloadLength())) {
          if (field.id() == Ebml.TAG_NAME && Ebml.readString(payload, field).startsWith("AWS_KINESISVIDEO_")) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private void tracks(byte[] payload) {
    List<Ebml.Element> entries = Ebml.children(payload, 0, payload.length).stream()
        .filter(e -> e.id() == Ebml.TRACK_ENTRY).toList();
    if (entries.isEmpty()) {
      throw new MkvException(PutMediaError.INVALID_MKV_DATA, "Tracks has no TrackEntry");
    }
    if (entries.size() > MAX_TRACKS) {
      throw new MkvException(PutMediaError.MORE_THAN_ALLOWED_TRACKS_FOUND, "Tracks declares " + entries.size()
          + " tracks; at most " + MAX_TRACKS + " are allowed");
    }
    for (Ebml.Element entry : entries) {
      long number = -1;
      String codec = null;
      boolean codecPrivate = false;
      long defaultDuration = 0;
      int end = entry.payloadStart() + entry.payloadLength();
      for (Ebml.Element child : Ebml.children(payload, entry.payloadStart(), end)) {
        if (child.id() == Ebml.TRACK_NUMBER) {
          number = Ebml.readUint(payload, child);
        } else if (child.id() == Ebml.CODEC_ID) {
          codec = Ebml.readString(payload, child);
        } else if (child.id() == Ebml.CODEC_PRIVATE) {
          codecPrivate = child.payloadLength() > 0;
        } else if (child.id() == Ebml.DEFAULT_DURATION) {
          defaultDuration = Ebml.readUint(payload, child);
        }
      }
      if (number < 1) {
        throw new MkvException(PutMediaError.INVALID_MKV_DATA, "A TrackEntry has no TrackNumber");
      }
      if (codec != null && CODECS_NEEDING_PRIVATE_DATA.contains(codec) && !codecPrivate) {
        throw new MkvException(PutMediaError.INVALID_MKV_DATA, "Track " + number + " (" + codec
            + ") has no codec private data (CodecPrivate)");
      }
      defaultDurations.put(number, defaultDuration);
    }
    sawTracks = true;
  }

  /** A cluster read whole, with what the checks need. */
  private static final class Cluster {
    @Nullable Long timecode;
    long minBlock = Long.MAX_VALUE;
    long maxBlock = Long.MIN_VALUE;
    long lastTrack = -1;
    final ByteArrayOutputStream children = new ByteArrayOutputStream();
  }

  private Cluster readCluster(EbmlInput.Header element) throws IOException {
    if (!sawTracks) {
      throw new MkvException(PutMediaError.INVALID_MKV_DATA, "A Cluster comes before the segment's Tracks");
    }
    Cluster cluster = new Cluster();
    if (element.size() != Ebml.UNKNOWN_SIZE) {
      if (element.size() > MAX_FRAGMENT_BYTES) {
        throw new MkvException(PutMediaError.MAX_FRAGMENT_SIZE_REACHED, "The fragment has " + element.size()
            + " bytes; at most " + MAX_FRAGMENT_BYTES + " are allowed");
      }
      byte[] payload = in.readPayload(element.size());
      for (Ebml.Element child : Ebml.children(payload, 0, payload.length)) {
        clusterChild(cluster, child.id(), payload, child.payloadStart(), child.payloadLength());
      }
      cluster.children.writeBytes(payload);
    } else {
      // Unknown size, as live producers send it: children up to the next top-level element.
      while (true) {
        EbmlInput.Header child = in.peek();
        if (child == null || Ebml.endsUnknownCluster(child.id())) {
          break;
        }
        in.next();
        if (child.size() == Ebml.UNKNOWN_SIZE) {
          throw new MkvException(PutMediaError.INVALID_MKV_DATA, "Element 0x" + Long.toHexString(child.id())
              + " inside a Cluster has an unknown size");
        }
        if (cluster.children.size() + child.bytes().length + child.size() > MAX_FRAGMENT_BYTES) {
          throw new MkvException(PutMediaError.MAX_FRAGMENT_SIZE_REACHED, "The fragment grows past "
              + MAX_FRAGMENT_BYTES + " bytes, the most allowed");
        }
        byte[] payload = in.readPayload(child.size());
        clusterChild(cluster, child.id(), payload, 0, payload.length);
        cluster.children.writeBytes(child.bytes());
        cluster.children.writeBytes(payload);
      }
    }
    if (cluster.timecode == null) {
      throw new MkvException(PutMediaError.INVALID_MKV_DATA, "A Cluster has no Timecode");
    }
    return cluster;
  }

  private void clusterChild(Cluster cluster, long id, byte[] data, int at, int length) {
    if (id == Ebml.TIMECODE) {
      cluster.timecode = Ebml.readUint(data, new Ebml.Element(id, at, length));
      if (cluster.timecode != null) {
        announce(cluster.timecode);
      }
    } else if (id == Ebml.SIMPLE_BLOCK) {
      block(cluster, data, at, length);
    } else if (id == Ebml.BLOCK_GROUP) {
      for (Ebml.Element child : Ebml.children(data, at, at + length)) {
        if (child.id() == Ebml.BLOCK) {
          block(cluster, data, child.payloadStart(), child.payloadLength());
        }
      }
    }
  }

  private void announce(long timecode) {
    try {
      acks.onAck(Ack.of(Ack.EventType.BUFFERING, timecode, FragmentNumbers.of(stream.endOffset())));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void block(Cluster cluster, byte[] data, int at, int length) {
    long[] track = Ebml.readVint(data, at, at + length, false);
    int after = at + (int) track[1];
    if (after + 3 > at + length) {
      throw new MkvException(PutMediaError.INVALID_MKV_DATA, "A block is too short for its header");
    }
    if (!defaultDurations.containsKey(track[0])) {
      throw new MkvException(PutMediaError.TRACK_NUMBER_MISMATCH, "A block belongs to track " + track[0]
          + ", which Tracks does not declare");
    }
    long relative = (short) (((data[after] & 0xff) << 8) | (data[after + 1] & 0xff));
    if (relative < cluster.minBlock) {
      cluster.minBlock = relative;
    }
    if (relative >= cluster.maxBlock) {
      cluster.maxBlock = relative;
      cluster.lastTrack = track[0];
    }
  }

  private void fragment(Cluster cluster) throws IOException {
    long timecode = cluster.timecode;
    long offsetMillis = multiplyToMillis(timecode);
    long producerTimestamp = timecodeType == TimecodeType.ABSOLUTE ? offsetMillis : producerStartMillis + offsetMillis;
    String expectedNumber = FragmentNumbers.of(stream.endOffset());
    if (lastProducerTimestamp != null && producerTimestamp < lastProducerTimestamp) {
      throw new MkvException(PutMediaError.FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS, "The fragment's timecode "
          + timecode + " (producer time " + producerTimestamp + " ms) is before the previous fragment's ("
          + lastProducerTimestamp + " ms)");
    }
    long durationMillis = 0;
    if (cluster.maxBlock != Long.MIN_VALUE) {
      long frameNanos = defaultDurations.getOrDefault(cluster.lastTrack, 0L);
      durationMillis = multiplyToMillis(cluster.maxBlock - cluster.minBlock) + frameNanos / 1_000_000;
    }
    if (durationMillis > MAX_FRAGMENT_MILLIS) {
      throw new MkvException(PutMediaError.MAX_FRAGMENT_DURATION_REACHED, "The fragment lasts " + durationMillis
          + " ms; at most " + MAX_FRAGMENT_MILLIS + " ms are allowed");
    }
    acks.onAck(Ack.of(Ack.EventType.RECEIVED, timecode, expectedNumber));
    ByteArrayOutputStream element = new ByteArrayOutputStream(cluster.children.size() + 12);
    Ebml.writeId(element, Ebml.CLUSTER);
    Ebml.writeSize(element, cluster.children.size());
    cluster.children.writeTo(element);
    if (stream.isDeleted()) {
      throw new MkvException(PutMediaError.STREAM_DELETED, "The stream " + stream.info().streamName()
          + " was deleted during the session");
    }
    FragmentInfo info;
    try {
      info = stream.append(header.toByteArray(), element.toByteArray(), producerTimestamp, timecode,
          durationMillis, store.clock().millis());
    } catch (IllegalStateException e) {
      throw new MkvException(PutMediaError.STREAM_DELETED, "The stream " + stream.info().streamName()
          + " was deleted or closed during the session");
    }
    clusterSinceHeader = true;
    lastProducerTimestamp = producerTimestamp;
    stored++;
    acks.onAck(Ack.of(Ack.EventType.PERSISTED, timecode, info.fragmentNumber()));
  }

  private long multiplyToMillis(long timecode) {
    return Math.multiplyHigh(timecode, timecodeScaleNanos) != 0 ? Long.MAX_VALUE / 1_000_000
        : timecode * timecodeScaleNanos / 1_000_000;
  }
}
