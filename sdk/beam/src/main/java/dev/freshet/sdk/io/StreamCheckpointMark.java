package dev.freshet.sdk.io;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.io.UnboundedSource;

/**
 * The checkpoint of one split of {@link StreamIO#read()}: for each shard the split is reading, the
 * last record handed downstream (or where to start). Restoring it resumes exactly after those
 * records: nothing is lost and nothing is read twice. A closed shard read to its end leaves the
 * mark and its children enter it, so a mark never holds a parent together with its child.
 *
 * <p>Immutable; the runner may encode it at any time with {@link StreamCheckpointMarkCoder}. The
 * source's own state needs no acknowledgement, so {@link #finalizeCheckpoint()} does nothing.
 */
public final class StreamCheckpointMark implements UnboundedSource.CheckpointMark, Serializable {
  private static final long serialVersionUID = 1L;

  private final List<ShardCheckpoint> shards;

  StreamCheckpointMark(List<ShardCheckpoint> shards) {
    List<ShardCheckpoint> sorted = new ArrayList<>(shards);
    sorted.sort(Comparator.comparing(ShardCheckpoint::shardId));
    for (int i = 1; i < sorted.size(); i++) {
      checkArgument(!sorted.get(i).shardId().equals(sorted.get(i - 1).shardId()),
          "a checkpoint holds shard %s twice", sorted.get(i).shardId());
    }
    this.shards = List.copyOf(sorted);
  }

  List<ShardCheckpoint> shards() {
    return shards;
  }

  /** The shard ids this mark covers, in order. */
  public List<String> shardIds() {
    return shards.stream().map(ShardCheckpoint::shardId).toList();
  }

  /**
   * Splits the mark into at most {@code n} marks that together hold every shard once, dealing shards
   * round-robin in id order. Empty marks are dropped, so there is at least one mark only if there is
   * at least one shard.
   */
  public List<StreamCheckpointMark> split(int n) {
    checkArgument(n >= 1, "n must be at least 1, but was: %s", n);
    int parts = Math.min(n, shards.size());
    List<List<ShardCheckpoint>> groups = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      groups.add(new ArrayList<>());
    }
    for (int i = 0; i < shards.size(); i++) {
      groups.get(i % parts).add(shards.get(i));
    }
    List<StreamCheckpointMark> marks = new ArrayList<>();
    for (List<ShardCheckpoint> group : groups) {
      marks.add(new StreamCheckpointMark(group));
    }
    return marks;
  }

  @Override
  public void finalizeCheckpoint() {}

  @Override
  public boolean equals(Object other) {
    return other instanceof StreamCheckpointMark && ((StreamCheckpointMark) other).shards.equals(shards);
  }

  @Override
  public int hashCode() {
    return Objects.hash(shards);
  }

  @Override
  public String toString() {
    return "StreamCheckpointMark" + shards;
  }
}
