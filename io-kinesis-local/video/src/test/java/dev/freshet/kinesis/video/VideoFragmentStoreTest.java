package dev.freshet.kinesis.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.log.LogConfig;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fragment store embedded: ingest, reopen, retention, the folder lock, big fragments. */
class VideoFragmentStoreTest {
  @TempDir Path dir;

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  }

  private static List<Ack> ingest(VideoFragmentStore store, String stream, byte[] media) throws Exception {
    List<Ack> acks = new ArrayList<>();
    MediaIngest.run(store, stream, new ByteArrayInputStream(media), MediaIngest.TimecodeType.RELATIVE,
        1_600_000_000_000L, acks::add);
    return acks;
  }

  @Test
  void fragmentsSurviveReopeningAndNumbersKeepIncreasing() throws Exception {
    List<FragmentInfo> before;
    Fragment third;
    try (VideoFragmentStore store = VideoFragmentStore.open(dir, Durability.FSYNC)) {
      store.createStream("cam", "device", "video/h264", 0);
      ingest(store, "cam", TestMkv.capture("clusters.mkv"));
      before = store.listFragments("cam");
      third = store.readFragment("cam", before.get(2).fragmentNumber());
      assertThatThrownBy(() -> VideoFragmentStore.open(dir, Durability.OS))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("open in another process");
    }
    try (VideoFragmentStore store = VideoFragmentStore.open(dir, Durability.OS)) {
      assertThat(store.listFragments("cam")).isEqualTo(before);
      Fragment again = store.readFragment("cam", before.get(2).fragmentNumber());
      assertThat(again.cluster()).isEqualTo(third.cluster());
      assertThat(again.segmentHeader()).isEqualTo(third.segmentHeader());
      assertThat(store.describeStream("cam").deviceName()).isEqualTo("device");
      ingest(store, "cam", TestMkv.concat(TestMkv.header(true), TestMkv.cluster(0, 10, 0)));
      List<FragmentInfo> after = store.listFragments("cam");
      assertThat(after).hasSize(9);
      assertThat(after.get(8).fragmentNumber()).isGreaterThan(before.get(7).fragmentNumber());
    }
  }

  @Test
  void namesThatWouldLeaveTheStreamsFolderAreRefused() {
    try (VideoFragmentStore store = VideoFragmentStore.open(dir, Durability.OS)) {
      for (String name : new String[] {"..", ".", "a/b", "", "x".repeat(257)}) {
        assertThatThrownBy(() -> store.createStream(name, null, null, 0)).isInstanceOf(VideoException.class)
            .hasMessageContaining("StreamName");
      }
      store.createStream("..a", null, null, 0);
      assertThat(store.listStreams()).extracting(VideoStreamInfo::streamName).containsExactly("..a");
    }
    assertThat(dir.resolve("streams").resolve("..a").resolve("stream.json")).exists();
  }

  @Test
  void fragmentsLargerThanOneLogRecordAreSplitAndJoined() throws Exception {
    try (VideoFragmentStore store = VideoFragmentStore.open(dir, Durability.OS)) {
      store.createStream("big", null, null, 0);
      // 5 MiB of frames: three records of the log.
      byte[] cluster = TestMkv.cluster(0, 1 << 20, 0, 40, 80, 120, 160);
      List<Ack> acks = ingest(store, "big", TestMkv.concat(TestMkv.header(true), cluster));
      assertThat(acks).extracting(Ack::eventType).containsExactly(Ack.EventType.BUFFERING,
          Ack.EventType.RECEIVED, Ack.EventType.PERSISTED);
      Fragment fragment = store.readFragment("big", acks.get(2).fragmentNumber());
      assertThat(fragment.cluster()).isEqualTo(cluster);
      assertThat(fragment.info().sizeInBytes()).isEqualTo(cluster.length);
      assertThat(fragment.info().durationMillis()).isEqualTo(160);
    }
  }

  @Test
  void retentionDeletesOldFragmentsOnly() throws Exception {
    TestClock clock = new TestClock();
    LogConfig small = LogConfig.builder().setSegmentBytes(LogConfig.MIN_SEGMENT_BYTES).build();
    try (VideoFragmentStore store = VideoFragmentStore.open(dir, small, clock, "eu-west-1", "123456789012")) {
      store.createStream("kept", null, null, 0);
      store.createStream("expiring", null, null, 1);
      assertThat(store.describeStream("expiring").streamArn()).startsWith("arn:aws:kinesisvideo:eu-west-1:123456789012:");
      ingest(store, "kept", TestMkv.concat(TestMkv.header(true), TestMkv.cluster(0, 2000, 0)));
      ingest(store, "expiring", TestMkv.concat(TestMkv.header(true), TestMkv.cluster(0, 2000, 0)));
      clock.millis.addAndGet(TimeUnit.MINUTES.toMillis(90));
      ingest(store, "expiring", TestMkv.concat(TestMkv.header(true), TestMkv.cluster(0, 2000, 0)));
      String fresh = store.listFragments("expiring").get(1).fragmentNumber();

      store.enforceRetention();
      assertThat(store.listFragments("kept")).hasSize(1);
      assertThat(store.listFragments("expiring")).extracting(FragmentInfo::fragmentNumber).containsExactly(fresh);
      assertThat(store.firstFragment("expiring", StartSelector.earliest()).orElseThrow().fragmentNumber())
          .isEqualTo(fresh);
    }
  }
}
