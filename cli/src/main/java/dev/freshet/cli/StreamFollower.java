package dev.freshet.cli;

import dev.freshet.sdk.stream.ChildShard;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.ListShardsResult;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.ShardIteratorType;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.errors.ExpiredIteratorException;
import dev.freshet.sdk.stream.errors.ProvisionedThroughputExceededException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Reads every shard of a stream with GetRecords, as a Kinesis consumer must: a shard made by a
 * split or merge is read only after its parents have been read to their end, so records of a key
 * come out in order. Children are found from the end of their parents' reads, so shards created
 * while following are picked up too.
 *
 * <p>In follow mode it polls until {@link #stop()}; otherwise it ends once every shard is read up
 * to its newest record. Expired iterators are renewed after the last record read; throttled reads
 * back off. Not thread-safe, except {@link #stop()}.
 */
final class StreamFollower {
  static final Duration POLL_INTERVAL = Duration.ofMillis(200);
  private static final int PAGE_SIZE = 1_000;

  private final StreamClient client;
  private final String stream;
  private final StartingPosition position;
  private final boolean follow;
  private final Map<String, ShardReader> shards = new LinkedHashMap<>();
  private volatile boolean stopped;

  private static final class ShardReader {
    final String shardId;
    final List<String> parents;
    final StartingPosition start;
    @Nullable String iterator;
    @Nullable String lastSequenceNumber;
    boolean finished;

    ShardReader(String shardId, List<String> parents, StartingPosition start) {
      this.shardId = shardId;
      this.parents = parents;
      this.start = start;
    }
  }

  /**
   * Follows {@code onlyShard} (and the shards that continue it), or every shard of the stream when
   * it is null. With {@link StartingPosition#latest()}, shards already closed are skipped.
   */
  StreamFollower(StreamClient client, String stream, StartingPosition position, @Nullable String onlyShard, boolean follow) {
    this.client = client;
    this.stream = stream;
    this.position = position;
    this.follow = follow;
    if (onlyShard != null) {
      shards.put(onlyShard, new ShardReader(onlyShard, List.of(), position));
      return;
    }
    List<Shard> listed = new ArrayList<>();
    ListShardsResult page = client.listShards(ListShardsRequest.of(stream));
    listed.addAll(page.shards());
    while (page.nextToken() != null) {
      page = client.listShards(ListShardsRequest.next(page.nextToken()));
      listed.addAll(page.shards());
    }
    for (Shard shard : listed) {
      List<String> parents = new ArrayList<>();
      for (String parent : new String[] {shard.parentShardId(), shard.adjacentParentShardId()}) {
        // A parent already past retention is no longer listed and need not be waited for.
        if (parent != null && listed.stream().anyMatch(s -> s.shardId().equals(parent))) {
          parents.add(parent);
        }
      }
      ShardReader reader = new ShardReader(shard.shardId(), parents, position);
      reader.finished = position.type() == ShardIteratorType.LATEST && !shard.isOpen();
      shards.put(shard.shardId(), reader);
    }
  }

  /** Where the records go. */
  interface Sink {
    /** Takes one record; returns false to end the read. */
    boolean accept(Record record);

    /** Called after each page of records, for example to flush output. */
    default void endOfPage() {}
  }

  /**
   * Hands each record to {@code sink} in shard order until the sink returns false, {@link #stop()}
   * is called, or (not following) every shard is caught up. Returns whether the sink asked to stop.
   */
  boolean run(Sink sink) throws InterruptedException {
    while (!stopped) {
      boolean progress = false;
      boolean unfinished = false;
      for (ShardReader reader : new ArrayList<>(shards.values())) {
        if (reader.finished) {
          continue;
        }
        unfinished = true;
        if (!parentsFinished(reader) || stopped) {
          continue;
        }
        GetRecordsResult result = read(reader);
        if (result == null) {
          continue;
        }
        for (Record record : result.records()) {
          reader.lastSequenceNumber = record.sequenceNumber();
          if (!sink.accept(record)) {
            sink.endOfPage();
            return true;
          }
        }
        if (!result.records().isEmpty()) {
          sink.endOfPage();
        }
        reader.iterator = result.nextShardIterator();
        if (reader.iterator == null) {
          reader.finished = true;
          for (ChildShard child : result.childShards()) {
            shards.computeIfAbsent(child.shardId(),
                id -> new ShardReader(id, knownParents(child), childStart()));
          }
          progress = true;
        } else if (!result.records().isEmpty()) {
          progress = true;
        } else if (!follow && result.millisBehindLatest() == 0) {
          reader.finished = true;
        }
      }
      if (!unfinished) {
        return false;
      }
      if (!progress && !stopped) {
        Thread.sleep(POLL_INTERVAL.toMillis());
      }
    }
    return false;
  }

  /** Ends {@link #run} after the page being read; safe to call from any thread. */
  void stop() {
    stopped = true;
  }

  private @Nullable GetRecordsResult read(ShardReader reader) throws InterruptedException {
    try {
      if (reader.iterator == null) {
        StartingPosition from = reader.lastSequenceNumber == null
            ? reader.start
            : StartingPosition.afterSequenceNumber(reader.lastSequenceNumber);
        reader.iterator = client.getShardIterator(stream, reader.shardId, from);
      }
      return client.getRecords(reader.iterator, PAGE_SIZE);
    } catch (ExpiredIteratorException e) {
      reader.iterator = null;
      return null;
    } catch (ProvisionedThroughputExceededException e) {
      Thread.sleep(POLL_INTERVAL.toMillis());
      return null;
    }
  }

  private boolean parentsFinished(ShardReader reader) {
    for (String parent : reader.parents) {
      ShardReader parentReader = shards.get(parent);
      if (parentReader != null && !parentReader.finished) {
        return false;
      }
    }
    return true;
  }

  private List<String> knownParents(ChildShard child) {
    return child.parentShards().stream().filter(shards::containsKey).filter(Objects::nonNull).toList();
  }

  /** A child holds only records newer than its parents', so it is read from its start, or from a time. */
  private StartingPosition childStart() {
    return position.type() == ShardIteratorType.AT_TIMESTAMP ? position : StartingPosition.trimHorizon();
  }
}
