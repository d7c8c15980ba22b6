package dev.freshet.sdk.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.StartingPosition;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.jupiter.api.Test;

class StreamCheckpointMarkTest {
  private static StreamCheckpointMark mark(int shards) {
    List<ShardCheckpoint> list = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      String id = String.format("shardId-%012d", i);
      list.add(i % 2 == 0
          ? ShardCheckpoint.after(id, "49" + i, i, 1000L * i)
          : ShardCheckpoint.notStarted(id, StartingPosition.trimHorizon(), Long.MIN_VALUE));
    }
    return new StreamCheckpointMark(list);
  }

  @Test
  void coderRoundTripsEveryKindOfShardPosition() throws CoderException {
    StreamCheckpointMark mark = new StreamCheckpointMark(List.of(
        ShardCheckpoint.after("shardId-000000000000", "4900000000000000000000000000012", 3, 42),
        ShardCheckpoint.notStarted("shardId-000000000001", StartingPosition.trimHorizon(), Long.MIN_VALUE),
        ShardCheckpoint.notStarted("shardId-000000000002", StartingPosition.latest(), 7),
        ShardCheckpoint.notStarted("shardId-000000000003",
            StartingPosition.atTimestamp(Instant.parse("2026-01-01T00:00:00.123Z")), 8),
        ShardCheckpoint.notStarted("shardId-000000000004",
            StartingPosition.afterSequenceNumber("4900000000000000000000000000099"), 9)));
    byte[] bytes = CoderUtils.encodeToByteArray(StreamCheckpointMarkCoder.of(), mark);
    StreamCheckpointMark decoded = CoderUtils.decodeFromByteArray(StreamCheckpointMarkCoder.of(), bytes);
    assertThat(decoded).isEqualTo(mark);
    assertThat(decoded.shards().get(0).startingPosition())
        .isEqualTo(StartingPosition.afterSequenceNumber("4900000000000000000000000000012"));
    // Also Java-serializable, as runners may snapshot marks that way.
    assertThat(SerializableUtils.clone(mark)).isEqualTo(mark);
  }

  @Test
  void coderRefusesOtherVersionsAndTruncation() throws IOException {
    byte[] bytes = CoderUtils.encodeToByteArray(StreamCheckpointMarkCoder.of(), mark(3));
    byte[] otherVersion = bytes.clone();
    otherVersion[0] = 9;
    assertThatThrownBy(() -> CoderUtils.decodeFromByteArray(StreamCheckpointMarkCoder.of(), otherVersion))
        .isInstanceOf(CoderException.class).hasMessageContaining("version 9");
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
    assertThatThrownBy(() -> StreamCheckpointMarkCoder.of().decode(new ByteArrayInputStream(truncated)))
        .isInstanceOf(IOException.class);
  }

  @Test
  void splitDealsEveryShardOnce() {
    StreamCheckpointMark mark = mark(7);
    List<StreamCheckpointMark> parts = mark.split(3);
    assertThat(parts).hasSize(3);
    List<String> all = new ArrayList<>();
    parts.forEach(part -> all.addAll(part.shardIds()));
    assertThat(all).containsExactlyInAnyOrderElementsOf(mark.shardIds());
    assertThat(parts.get(0).shardIds()).hasSize(3);
    assertThat(mark.split(20)).hasSize(7);
    assertThat(mark.split(1)).containsExactly(mark);
    assertThatThrownBy(() -> mark.split(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aShardAppearsOnce() {
    assertThatThrownBy(() -> new StreamCheckpointMark(List.of(
        ShardCheckpoint.notStarted("shardId-000000000001", StartingPosition.latest(), 0),
        ShardCheckpoint.after("shardId-000000000001", "49", 0, 0))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
  }

  @Test
  void recordCoderRoundTrips() throws CoderException {
    StreamRecord record = StreamRecord.of("s", "shardId-000000000001", "491", 2, "key",
        new org.joda.time.Instant(12345), new byte[] {1, 2, 3});
    assertThat(CoderUtils.clone(StreamRecordCoder.of(), record)).isEqualTo(record);
  }
}
