package dev.freshet.transforms.video;

import static com.google.common.base.Preconditions.checkNotNull;

import com.amazonaws.kinesisvideo.parser.ebml.EBMLTypeInfo;
import com.amazonaws.kinesisvideo.parser.ebml.MkvTypeInfos;
import com.amazonaws.kinesisvideo.parser.mkv.MkvDataElement;
import com.amazonaws.kinesisvideo.parser.mkv.MkvElement;
import com.amazonaws.kinesisvideo.parser.mkv.MkvElementVisitException;
import com.amazonaws.kinesisvideo.parser.mkv.MkvElementVisitor;
import com.amazonaws.kinesisvideo.parser.mkv.MkvEndMasterElement;
import com.amazonaws.kinesisvideo.parser.mkv.MkvStartMasterElement;
import com.google.common.io.CountingInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Cuts the output of Kinesis Video's GetMedia (one Matroska document per fragment, back to back)
 * into {@link VideoFragment}s, each the fragment's document byte for byte, numbered and timed by
 * the service's tags ({@code AWS_KINESISVIDEO_FRAGMENT_NUMBER}, {@code
 * AWS_KINESISVIDEO_PRODUCER_TIMESTAMP}, {@code AWS_KINESISVIDEO_SERVER_TIMESTAMP}).
 */
public final class VideoFragments {
  static final String FRAGMENT_NUMBER = "AWS_KINESISVIDEO_FRAGMENT_NUMBER";
  static final String PRODUCER_TIMESTAMP = "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP";
  static final String SERVER_TIMESTAMP = "AWS_KINESISVIDEO_SERVER_TIMESTAMP";

  private VideoFragments() {}

  /** All fragments of a GetMedia output held in memory. */
  public static List<VideoFragment> split(String streamName, byte[] getMediaOutput) throws IOException {
    List<VideoFragment> fragments = new ArrayList<>();
    split(streamName, new ByteArrayInputStream(getMediaOutput), fragments::add);
    return fragments;
  }

  /**
   * Hands each fragment of a GetMedia output stream to {@code each} as soon as its document has
   * ended. Fails, naming the document, when the bytes are not Matroska or a document lacks the
   * fragment number or timestamp tags.
   */
  public static void split(String streamName, InputStream getMediaOutput, Consumer<VideoFragment> each)
      throws IOException {
    checkNotNull(streamName, "streamName");
    Splitter splitter = new Splitter(streamName, each);
    CountingInputStream counted = new CountingInputStream(getMediaOutput);
    MatroskaWalk.walk(counted, splitter, "the GetMedia output of " + streamName);
    try {
      splitter.finishDocument();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    long unread = counted.getCount() - splitter.bytesWritten;
    if (splitter.documents == 0 || unread != 0) {
      throw new IOException("the GetMedia output of " + streamName + " ends with " + unread + " of "
          + counted.getCount() + " bytes that are not part of a whole Matroska document");
    }
  }

  /** Writes each element back out, and starts a new document at each EBML header. */
  private static final class Splitter extends MkvElementVisitor {
    private final String streamName;
    private final Consumer<VideoFragment> each;
    private final Map<String, String> tags = new HashMap<>();
    private ByteArrayOutputStream document = new ByteArrayOutputStream();
    private WritableByteChannel channel = Channels.newChannel(document);
    private String tagName;
    private int documents;
    private long bytesWritten;

    Splitter(String streamName, Consumer<VideoFragment> each) {
      this.streamName = streamName;
      this.each = each;
    }

    @Override
    public void visit(MkvStartMasterElement element) throws MkvElementVisitException {
      if (type(element).equals(MkvTypeInfos.EBML)) {
        finishDocument();
      }
      element.writeToChannel(channel);
    }

    @Override
    public void visit(MkvEndMasterElement element) {
      // An end marks no bytes: the start carried the size (or the unknown size).
    }

    @Override
    public void visit(MkvDataElement element) throws MkvElementVisitException {
      EBMLTypeInfo type = type(element);
      if (type.equals(MkvTypeInfos.TAGNAME)) {
        tagName = (String) element.getValueCopy().getVal();
      } else if (type.equals(MkvTypeInfos.TAGSTRING) && tagName != null) {
        tags.put(tagName, (String) element.getValueCopy().getVal());
        tagName = null;
      }
      element.writeToChannel(channel);
    }

    void finishDocument() {
      if (document.size() == 0) {
        return;
      }
      documents++;
      bytesWritten += document.size();
      String number = tags.get(FRAGMENT_NUMBER);
      if (number == null) {
        throw new UncheckedIOException(new IOException("Matroska document " + documents + " of " + streamName
            + " has no " + FRAGMENT_NUMBER + " tag: it is not GetMedia output"));
      }
      each.accept(VideoFragment.of(streamName, number, seconds(PRODUCER_TIMESTAMP, number),
          seconds(SERVER_TIMESTAMP, number), document.toByteArray()));
      tags.clear();
      document = new ByteArrayOutputStream();
      channel = Channels.newChannel(document);
    }

    private Instant seconds(String tag, String number) {
      String value = tags.get(tag);
      if (value == null) {
        throw new UncheckedIOException(new IOException(
            "fragment " + number + " of " + streamName + " has no " + tag + " tag"));
      }
      try {
        BigDecimal nanos = new BigDecimal(value).movePointRight(9);
        return Instant.ofEpochSecond(0, nanos.longValueExact());
      } catch (NumberFormatException | ArithmeticException e) {
        throw new UncheckedIOException(new IOException("fragment " + number + " of " + streamName + " has " + tag
            + " '" + value + "', which is not a number of seconds", e));
      }
    }

    private static EBMLTypeInfo type(MkvElement element) {
      return element.getElementMetaData().getTypeInfo();
    }
  }
}
