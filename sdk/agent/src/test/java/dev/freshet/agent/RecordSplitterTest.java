package dev.freshet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RecordSplitterTest {
  private static FlowConfig.Builder flow() {
    return FlowConfig.builder("/logs/app.log*", FlowConfig.DestinationType.STREAM, "s");
  }

  private static List<String> feed(RecordSplitter splitter, long offset, String text, List<Long> ends) {
    List<String> out = new ArrayList<>();
    splitter.feed(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), offset, cut -> {
      out.add(cut.data() == null ? null : new String(cut.data(), StandardCharsets.UTF_8));
      ends.add(cut.endOffset());
    });
    return out;
  }

  @Test
  void linesWithTheirOffsetsAndAPartialLineWaits() {
    RecordSplitter s = new RecordSplitter(flow().build(), true);
    List<Long> ends = new ArrayList<>();
    assertThat(feed(s, 0, "one\ntwo\nthr", ends)).containsExactly("one\n", "two\n");
    assertThat(feed(s, 11, "ee\n", ends)).containsExactly("three\n");
    assertThat(ends).containsExactly(4L, 8L, 14L);
  }

  @Test
  void headerLinesAreSkippedOnlyFromTheStartOfAFile() {
    List<Long> ends = new ArrayList<>();
    RecordSplitter fromStart = new RecordSplitter(flow().setSkipHeaderLines(1).build(), true);
    assertThat(feed(fromStart, 0, "id,name\n1,a\n", ends)).containsExactly(null, "1,a\n");
    assertThat(ends).containsExactly(8L, 12L);
    RecordSplitter resumed = new RecordSplitter(flow().setSkipHeaderLines(1).build(), false);
    assertThat(feed(resumed, 12, "2,b\n", new ArrayList<>())).containsExactly("2,b\n");
  }

  @Test
  void multiLineRecordsEndAtTheNextStartLineOrWhenFlushed() {
    RecordSplitter s = new RecordSplitter(flow().setMultiLineStartPattern(Pattern.compile("\\d{4}-")).build(), true);
    List<Long> ends = new ArrayList<>();
    String text = "2024-01-01 ERROR boom\n  at a.b(C.java:1)\n  at d.e(F.java:2)\n2024-01-01 INFO ok\n";
    assertThat(feed(s, 0, text, ends)).containsExactly("2024-01-01 ERROR boom\n  at a.b(C.java:1)\n  at d.e(F.java:2)\n");
    assertThat(ends).containsExactly((long) text.indexOf("2024-01-01 INFO"));
    assertThat(s.holdsRecord()).isTrue();
    List<String> flushed = new ArrayList<>();
    s.flushHeld(cut -> {
      flushed.add(new String(cut.data(), StandardCharsets.UTF_8));
      ends.add(cut.endOffset());
    });
    assertThat(flushed).containsExactly("2024-01-01 INFO ok\n");
    assertThat(ends).last().isEqualTo((long) text.length());
  }

  @Test
  void aRecordOverTheLimitIsCutAndTerminated() {
    FlowConfig config = flow().setDestinationType(FlowConfig.DestinationType.DELIVERY_STREAM)
        .setMaxBufferSizeBytes(1000).setTruncatedRecordTerminator("<cut>\n").build();
    RecordSplitter s = new RecordSplitter(config, true);
    String longLine = "x".repeat(FlowConfig.MAX_DELIVERY_RECORD_BYTES + 10) + "\n";
    List<Long> ends = new ArrayList<>();
    List<String> out = feed(s, 0, longLine + "next\n", ends);
    assertThat(out).hasSize(2);
    assertThat(out.get(0)).hasSize(FlowConfig.MAX_DELIVERY_RECORD_BYTES).endsWith("x<cut>\n");
    assertThat(out.get(1)).isEqualTo("next\n");
    assertThat(ends).containsExactly((long) longLine.length(), (long) longLine.length() + 5);
  }
}
