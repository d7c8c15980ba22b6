package dev.freshet.kinesis.video;

import java.io.ByteArrayOutputStream;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * GetMedia's output format: each fragment as one Matroska document (EBML header, then a Segment of
 * unknown size holding the fragment's segment header, a Tags element with {@code
 * AWS_KINESISVIDEO_FRAGMENT_NUMBER}, {@code _SERVER_TIMESTAMP} and {@code _PRODUCER_TIMESTAMP}, the
 * Cluster, and a Tags element with {@code AWS_KINESISVIDEO_MILLIS_BEHIND_NOW} and {@code
 * _CONTINUATION_TOKEN}), as the service writes it; documents are concatenated.
 */
public final class MkvOutput {
  private static final byte[] EBML_HEADER = ebmlHeader();

  private MkvOutput() {}

  private static byte[] ebmlHeader() {
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    Ebml.element(payload, 0x4286, Ebml.uint(1)); // EBMLVersion
    Ebml.element(payload, 0x42F7, Ebml.uint(1)); // EBMLReadVersion
    Ebml.element(payload, 0x42F2, Ebml.uint(4)); // EBMLMaxIDLength
    Ebml.element(payload, 0x42F3, Ebml.uint(8)); // EBMLMaxSizeLength
    Ebml.element(payload, Ebml.DOC_TYPE, Ebml.string("matroska"));
    Ebml.element(payload, 0x4287, Ebml.uint(4)); // DocTypeVersion
    Ebml.element(payload, 0x4285, Ebml.uint(2)); // DocTypeReadVersion
    return Ebml.element(Ebml.EBML, payload.toByteArray());
  }

  /**
   * One fragment as GetMedia sends it.
   *
   * @param continuationToken the token to resume after this fragment, or null to leave it out of
   *     the closing Tags (GetMediaForFragmentList)
   * @param millisBehindNow how far the fragment is behind the newest, for the closing Tags
   */
  public static byte[] document(Fragment fragment, @Nullable String continuationToken, long millisBehindNow) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(fragment.cluster().length + fragment.segmentHeader().length + 512);
    out.writeBytes(EBML_HEADER);
    Ebml.writeId(out, Ebml.SEGMENT);
    Ebml.writeSize(out, Ebml.UNKNOWN_SIZE);
    out.writeBytes(fragment.segmentHeader());
    FragmentInfo info = fragment.info();
    out.writeBytes(tags(
        "AWS_KINESISVIDEO_FRAGMENT_NUMBER", info.fragmentNumber(),
        "AWS_KINESISVIDEO_SERVER_TIMESTAMP", seconds(info.serverTimestampMillis()),
        "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP", seconds(info.producerTimestampMillis())));
    out.writeBytes(fragment.cluster());
    // Always a closing Tags: readers that take every cluster as of unknown size (JCodec's
    // MKVParser) end the cluster only at a top-level element other than the next EBML header.
    String behind = Long.toString(Math.max(0, millisBehindNow));
    out.writeBytes(continuationToken == null ? tags("AWS_KINESISVIDEO_MILLIS_BEHIND_NOW", behind)
        : tags("AWS_KINESISVIDEO_MILLIS_BEHIND_NOW", behind, "AWS_KINESISVIDEO_CONTINUATION_TOKEN", continuationToken));
    return out.toByteArray();
  }

  /** Epoch seconds with milliseconds, as the service writes timestamps in tags: {@code 1511852109.126}. */
  static String seconds(long millis) {
    return String.format(Locale.ROOT, "%d.%03d", Math.floorDiv(millis, 1000), Math.floorMod(millis, 1000));
  }

  private static byte[] tags(String... namesAndValues) {
    ByteArrayOutputStream tag = new ByteArrayOutputStream();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      ByteArrayOutputStream simple = new ByteArrayOutputStream();
      Ebml.element(simple, Ebml.TAG_NAME, Ebml.string(namesAndValues[i]));
      Ebml.element(simple, Ebml.TAG_STRING, Ebml.string(namesAndValues[i + 1]));
      Ebml.element(tag, Ebml.SIMPLE_TAG, simple.toByteArray());
    }
    return Ebml.element(Ebml.TAGS, Ebml.element(Ebml.TAG, tag.toByteArray()));
  }
}
