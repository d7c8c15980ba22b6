package dev.freshet.agent;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Cuts one file's bytes into records: a record is a line with its {@code \n}, or with {@code
 * multiLineStartPattern} a start line and the lines up to the next start line. It skips the
 * first {@code skipHeaderLines} lines of a file read from its start, and cuts a record longer than
 * the destination's limit, ending it with {@code truncatedRecordTerminator}. Each record it emits
 * carries the file offset right after it, the position the flow checkpoints once it is delivered.
 * A line without its {@code \n} yet is held until the rest arrives.
 */
final class RecordSplitter {
  /** One record, or a skipped line (null data), and the offset after it. */
  record Cut(byte @Nullable [] data, long endOffset) {}

  private final @Nullable Pattern startPattern;
  private final int maxRecordBytes;
  private final byte[] terminator;
  private int headerLinesLeft;

  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private boolean lineCut;
  private final ByteArrayOutputStream multiLine = new ByteArrayOutputStream();
  private boolean multiLineCut;
  private long multiLineEnd = -1;

  RecordSplitter(FlowConfig flow, boolean atStartOfFile) {
    this.startPattern = flow.multiLineStartPattern();
    this.maxRecordBytes = flow.maxRecordBytes();
    this.terminator = flow.truncatedRecordTerminator().getBytes(StandardCharsets.UTF_8);
    this.headerLinesLeft = atStartOfFile ? flow.skipHeaderLines() : 0;
  }

  /** Feeds {@code bytes}, read from the file at {@code offset}; hands each finished cut to {@code out}. */
  void feed(ByteBuffer bytes, long offset, Consumer<Cut> out) {
    long position = offset;
    while (bytes.hasRemaining()) {
      byte b = bytes.get();
      position++;
      if (line.size() < maxRecordBytes) {
        line.write(b);
      } else {
        lineCut = true;
      }
      if (b == '\n') {
        endOfLine(position, out);
      }
    }
  }

  /** Whether a multi-line record is waiting for its next start line. */
  boolean holdsRecord() {
    return multiLineEnd >= 0;
  }

  /** Ends the multi-line record held, when its file has been quiet for the buffer age. */
  void flushHeld(Consumer<Cut> out) {
    if (multiLineEnd >= 0) {
      out.accept(new Cut(finish(multiLine.toByteArray(), multiLineCut), multiLineEnd));
      multiLine.reset();
      multiLineCut = false;
      multiLineEnd = -1;
    }
  }

  private void endOfLine(long end, Consumer<Cut> out) {
    byte[] bytes = line.toByteArray();
    boolean cut = lineCut;
    line.reset();
    lineCut = false;
    if (headerLinesLeft > 0) {
      headerLinesLeft--;
      out.accept(new Cut(null, end));
      return;
    }
    if (startPattern == null) {
      out.accept(new Cut(finish(bytes, cut), end));
      return;
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (startPattern.matcher(text).lookingAt()) {
      flushHeld(out);
    }
    // Lines before the first start line make a record of their own.
    int room = maxRecordBytes - multiLine.size();
    if (bytes.length <= room) {
      multiLine.write(bytes, 0, bytes.length);
    } else {
      multiLine.write(bytes, 0, Math.max(room, 0));
      multiLineCut = true;
    }
    multiLineCut |= cut;
    multiLineEnd = end;
  }

  private byte[] finish(byte[] record, boolean cut) {
    if (!cut && record.length <= maxRecordBytes) {
      return record;
    }
    int keep = Math.max(0, Math.min(record.length, maxRecordBytes - terminator.length));
    byte[] out = new byte[keep + terminator.length];
    System.arraycopy(record, 0, out, 0, keep);
    System.arraycopy(terminator, 0, out, keep, terminator.length);
    return out;
  }
}
