package dev.freshet.kinesis.store;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scales on-demand streams out under sustained write load.
 *
 * <p>The policy: every 10 seconds (by the store's clock) the write rate of each open shard over
 * the last interval is measured. A shard is hot while it takes more than half a shard's write
 * capacity — 512 KiB/s or 500 records/s, the headroom the service keeps for on-demand streams. A
 * shard hot for 60 seconds in a row is split at the middle of its hash-key range; its children
 * start their own history, so a key range at most doubles its shards per minute. Scaling stops at
 * the store's shard limit. Streams are never merged back by this policy (scale in with
 * UpdateShardCount), and a single hot partition key cannot be spread by splitting — the same
 * limits the service has.
 */
final class OnDemandScaler {
  private static final Logger LOG = LoggerFactory.getLogger(OnDemandScaler.class);

  static final long SAMPLE_INTERVAL_MILLIS = 10_000;
  static final long SUSTAINED_MILLIS = 60_000;
  static final double HOT_BYTES_PER_SECOND = 512 * 1024;
  static final double HOT_RECORDS_PER_SECOND = 500;

  private record Sample(long atMillis, long records, long bytes, long hotSinceMillis) {}

  private final Map<String, Sample> samples = new HashMap<>();

  OnDemandScaler(StoreConfig config) {
    // The thresholds are the service's; the config is taken for symmetry with the other parts.
  }

  synchronized void evaluate(Resharding resharding, StreamState stream, long nowMillis) {
    Set<String> seen = new HashSet<>();
    for (ShardState shard : stream.openShards()) {
      String key = stream.name + '/' + stream.incarnation + '/' + shard.ordinal;
      seen.add(key);
      long records = shard.incomingRecords.sum();
      long bytes = shard.incomingBytes.sum();
      Sample previous = samples.get(key);
      if (previous == null) {
        samples.put(key, new Sample(nowMillis, records, bytes, -1));
        continue;
      }
      long elapsed = nowMillis - previous.atMillis();
      if (elapsed < SAMPLE_INTERVAL_MILLIS) {
        continue;
      }
      double recordRate = (records - previous.records()) * 1000.0 / elapsed;
      double byteRate = (bytes - previous.bytes()) * 1000.0 / elapsed;
      boolean hot = recordRate > HOT_RECORDS_PER_SECOND || byteRate > HOT_BYTES_PER_SECOND;
      long hotSince = hot ? (previous.hotSinceMillis() >= 0 ? previous.hotSinceMillis() : previous.atMillis()) : -1;
      if (hot && nowMillis - hotSince >= SUSTAINED_MILLIS) {
        if (resharding.splitForScaling(stream, shard)) {
          LOG.info("On-demand stream {}: split hot shard {} ({} records/s, {} KiB/s for {} s)",
              stream.name, shard.shardId, Math.round(recordRate), Math.round(byteRate / 1024),
              (nowMillis - hotSince) / 1000);
          samples.remove(key);
          continue;
        }
      }
      samples.put(key, new Sample(nowMillis, records, bytes, hotSince));
    }
    // Children of this round's splits take their first sample now, not at the next round, so
    // their load is measured from the moment they exist.
    for (ShardState shard : stream.openShards()) {
      String key = stream.name + '/' + stream.incarnation + '/' + shard.ordinal;
      if (seen.add(key)) {
        samples.put(key, new Sample(nowMillis, shard.incomingRecords.sum(), shard.incomingBytes.sum(), -1));
      }
    }
    String prefix = stream.name + '/';
    samples.keySet().removeIf(key -> key.startsWith(prefix) && !seen.contains(key));
  }
}
