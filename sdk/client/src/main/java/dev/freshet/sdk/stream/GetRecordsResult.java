package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A page of records read from a shard (GetRecords). {@link #nextShardIterator()} continues the
 * read; it is null once a closed shard has been read to its end, and then {@link #childShards()}
 * names the shards that continue it.
 */
@AutoValue
public abstract class GetRecordsResult {
  public static GetRecordsResult of(
      List<Record> records,
      @Nullable String nextShardIterator,
      long millisBehindLatest,
      List<ChildShard> childShards) {
    // A page is immutable already, and copying it would build every record it holds.
    return new AutoValue_GetRecordsResult(records instanceof RecordPage ? records : List.copyOf(records),
        nextShardIterator, millisBehindLatest, List.copyOf(childShards));
  }

  public abstract List<Record> records();

  public abstract @Nullable String nextShardIterator();

  /** How far the read is behind the newest record of the shard; 0 when caught up. */
  public abstract long millisBehindLatest();

  public abstract List<ChildShard> childShards();
}
