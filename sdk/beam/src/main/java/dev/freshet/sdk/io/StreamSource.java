package dev.freshet.sdk.io;

import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.ListShardsResult;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.ShardFilter;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.jspecify.annotations.Nullable;

/**
 * The unbounded source behind {@link StreamIO#read()}. Unsplit, it stands for the whole stream;
 * {@link #split} lists the shards open at the starting position and deals them out, each split
 * holding its shards as a {@link StreamCheckpointMark} to start from. Shards created later by
 * resharding are read by the split that read their parent.
 */
final class StreamSource extends UnboundedSource<StreamRecord, StreamCheckpointMark> {
  private static final long serialVersionUID = 1L;

  private final StreamIO.Read spec;
  private final @Nullable StreamCheckpointMark initial;
  private final boolean singleSplit;

  StreamSource(StreamIO.Read spec, @Nullable StreamCheckpointMark initial) {
    this(spec, initial, false);
  }

  StreamSource(StreamIO.Read spec, @Nullable StreamCheckpointMark initial, boolean singleSplit) {
    this.spec = spec;
    this.initial = initial;
    this.singleSplit = singleSplit;
  }

  StreamIO.Read spec() {
    return spec;
  }

  @Override
  public List<StreamSource> split(int desiredNumSplits, PipelineOptions options) {
    StreamCheckpointMark whole = initial != null ? initial : initialMark();
    List<StreamSource> splits = new ArrayList<>();
    for (StreamCheckpointMark mark : whole.split(singleSplit ? 1 : Math.max(1, desiredNumSplits))) {
      splits.add(new StreamSource(spec, mark));
    }
    return splits;
  }

  /** Every shard open at the starting position, each to start there. */
  StreamCheckpointMark initialMark() {
    try (StreamClients.Lease lease = StreamClients.acquire(spec.endpoint())) {
      StreamClient client = lease.client();
      StartingPosition position = spec.startingPosition();
      ShardFilter filter;
      switch (position.type()) {
        case TRIM_HORIZON:
          filter = ShardFilter.atTrimHorizon();
          break;
        case AT_TIMESTAMP:
          filter = ShardFilter.atTimestamp(position.timestamp());
          break;
        case LATEST:
          filter = ShardFilter.atLatest();
          break;
        default:
          throw new IllegalArgumentException("a stream-wide read starts at TRIM_HORIZON, LATEST or "
              + "AT_TIMESTAMP; sequence numbers belong to one shard, but the starting position was " + position);
      }
      List<ShardCheckpoint> shards = new ArrayList<>();
      ListShardsResult page = client.listShards(ListShardsRequest.builder()
          .setStream(spec.streamName()).setShardFilter(filter).build());
      while (true) {
        for (Shard shard : page.shards()) {
          shards.add(ShardCheckpoint.notStarted(shard.shardId(), position, Long.MIN_VALUE));
        }
        if (page.nextToken() == null) {
          break;
        }
        page = client.listShards(ListShardsRequest.next(page.nextToken()));
      }
      if (shards.isEmpty()) {
        throw new IllegalStateException("stream " + spec.streamName() + " at " + spec.endpoint()
            + " has no shard open at " + position);
      }
      return new StreamCheckpointMark(shards);
    }
  }

  @Override
  public StreamReader createReader(PipelineOptions options, @Nullable StreamCheckpointMark checkpointMark) {
    StreamCheckpointMark mark = checkpointMark != null ? checkpointMark : initial != null ? initial : initialMark();
    return new StreamReader(this, mark);
  }

  @Override
  public Coder<StreamCheckpointMark> getCheckpointMarkCoder() {
    return StreamCheckpointMarkCoder.of();
  }

  @Override
  public Coder<StreamRecord> getOutputCoder() {
    return StreamRecordCoder.of();
  }

  /**
   * No: a split restored from its checkpoint resumes exactly after the last record it handed
   * downstream, so the source itself never repeats a record. The reader therefore leaves {@code
   * getCurrentRecordId()} at Beam's default (an empty id) instead of building one per record,
   * which the Direct runner would ask for and throw away; pipelines that deduplicate use {@link
   * StreamRecord#uniqueId()}.
   */
  @Override
  public boolean requiresDeduping() {
    return false;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    builder.add(DisplayData.item("stream", spec.streamName()))
        .add(DisplayData.item("endpoint", spec.endpoint().toString()))
        .add(DisplayData.item("startingPosition", String.valueOf(spec.startingPosition())));
    if (initial != null) {
      builder.add(DisplayData.item("shards", String.join(",", initial.shardIds())));
    }
  }
}
