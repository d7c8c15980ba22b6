package dev.freshet.sdk.aggregation;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects user records into one aggregate until it would exceed a size limit, tracking the exact
 * encoded size as records are added.
 *
 * <pre>{@code
 * Aggregator aggregator = new Aggregator(AggregatedRecords.MAX_RECORD_BYTES);
 * for (UserRecord record : records) {
 *   if (!aggregator.tryAdd(record)) {
 *     put(aggregator.build());          // full: send it and start the next one
 *     aggregator.clear();
 *     if (!aggregator.tryAdd(record)) {
 *       put(record);                    // too large to aggregate at all: send it as it is
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>Not thread-safe.
 */
public final class Aggregator {
  private final int maxBytes;
  private final List<UserRecord> records = new ArrayList<>();
  private final Map<String, Integer> partitionKeys = new HashMap<>();
  private final Map<String, Integer> explicitHashKeys = new HashMap<>();
  private int sizeInBytes = AggregatedRecords.OVERHEAD_BYTES;

  /** An aggregator whose aggregates, magic and checksum included, are at most {@code maxBytes}. */
  public Aggregator(int maxBytes) {
    checkArgument(maxBytes > AggregatedRecords.OVERHEAD_BYTES,
        "maxBytes must be more than %s, but was: %s", AggregatedRecords.OVERHEAD_BYTES, maxBytes);
    this.maxBytes = maxBytes;
  }

  /**
   * Adds {@code record} if the aggregate stays within the limit with it, and says whether it did.
   * An empty aggregator refuses only a record too large to aggregate at all.
   */
  public boolean tryAdd(UserRecord record) {
    int grown = sizeInBytes + sizeIncrease(record);
    if (grown > maxBytes) {
      return false;
    }
    sizeInBytes = grown;
    partitionKeys.putIfAbsent(record.partitionKey(), partitionKeys.size());
    if (record.explicitHashKey() != null) {
      explicitHashKeys.putIfAbsent(record.explicitHashKey(), explicitHashKeys.size());
    }
    records.add(record);
    return true;
  }

  /** The encoded size in bytes the aggregate would have with {@code record} added. */
  public int sizeWith(UserRecord record) {
    return sizeInBytes + sizeIncrease(record);
  }

  private int sizeIncrease(UserRecord record) {
    int increase = 0;
    Integer partitionKeyIndex = partitionKeys.get(record.partitionKey());
    if (partitionKeyIndex == null) {
      partitionKeyIndex = partitionKeys.size();
      increase += ProtoWire.lengthDelimitedSize(utf8Length(record.partitionKey()));
    }
    int inner = 1 + ProtoWire.varintSize(partitionKeyIndex);
    if (record.explicitHashKey() != null) {
      Integer explicitIndex = explicitHashKeys.get(record.explicitHashKey());
      if (explicitIndex == null) {
        explicitIndex = explicitHashKeys.size();
        increase += ProtoWire.lengthDelimitedSize(utf8Length(record.explicitHashKey()));
      }
      inner += 1 + ProtoWire.varintSize(explicitIndex);
    }
    inner += ProtoWire.lengthDelimitedSize(record.data().length);
    return increase + ProtoWire.lengthDelimitedSize(inner);
  }

  /** The encoded size in bytes of the aggregate so far, magic and checksum included. */
  public int sizeInBytes() {
    return sizeInBytes;
  }

  public int recordCount() {
    return records.size();
  }

  public boolean isEmpty() {
    return records.isEmpty();
  }

  /** The records added so far, in order. */
  public List<UserRecord> records() {
    return List.copyOf(records);
  }

  /** The aggregate of the records added so far; {@link #sizeInBytes()} long. */
  public byte[] build() {
    checkState(!records.isEmpty(), "an aggregate needs at least one user record");
    return AggregatedRecords.encode(records);
  }

  /** Empties the aggregator for the next aggregate. */
  public void clear() {
    records.clear();
    partitionKeys.clear();
    explicitHashKeys.clear();
    sizeInBytes = AggregatedRecords.OVERHEAD_BYTES;
  }

  private static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
