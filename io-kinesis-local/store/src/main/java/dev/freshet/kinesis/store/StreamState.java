package dev.freshet.kinesis.store;

import dev.freshet.kinesis.crypto.RecordCipher;
import dev.freshet.kinesis.log.LogConfig;
import dev.freshet.kinesis.log.LogFrame;
import dev.freshet.kinesis.log.LogReadResult;
import dev.freshet.kinesis.log.LogRecord;
import dev.freshet.kinesis.log.ShardLog;
import dev.freshet.kinesis.store.StreamMetadata.ConsumerMetadata;
import dev.freshet.kinesis.store.StreamMetadata.ShardMetadata;
import dev.freshet.sdk.stream.ChildShard;
import dev.freshet.sdk.stream.EncryptionType;
import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.PutRecordsResultEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.StreamMode;
import dev.freshet.sdk.stream.StreamStatus;
import dev.freshet.sdk.stream.errors.InternalFailureException;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import dev.freshet.sdk.wire.RecordsAnswer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live state of one stream: its settings, its shards and their logs, the routing table of its
 * open shards, and its consumers.
 *
 * <p>Concurrency: writes and reads take the read side of {@link #reshardLock}, resharding the
 * write side, so a shard never takes a write after it was closed and a batch never straddles a
 * reshard. Settings change under the object's monitor and are persisted before the call returns.
 */
final class StreamState {
  private static final Logger LOG = LoggerFactory.getLogger(StreamState.class);

  /** Log attribute bit: the key holds the key id and the value the sealed partition key and data. */
  static final byte ENCRYPTED = 0x1;

  /**
   * Log attribute bit: every value of the batch starts with a {@link ProducerHeader} (the batch
   * holds at least one idempotent entry).
   */
  static final byte PRODUCER = 0x2;

  private static final long MAX_READ_BYTES = 10L << 20;

  final String name;
  final String arn;
  final long incarnation;
  final long createdMillis;
  final Path dir;
  final ReentrantReadWriteLock reshardLock = new ReentrantReadWriteLock();

  private final StoreConfig config;
  private final LogConfig logConfig;
  private final RecordCipher cipher;
  private final byte[] associatedData;
  private final ShardAppender appender;

  // Settings, guarded by this.
  private StreamMode mode;
  private int retentionHours;
  private final Map<String, String> tags;
  private final Set<String> enhancedMonitoring;
  private final Map<String, ConsumerMetadata> consumers;
  private int nextShardOrdinal;
  private StreamStatus status;
  private long statusUntilMillis;

  /** The key id new records are encrypted with; null when encryption is off. */
  private volatile @Nullable String keyId;

  private volatile List<ShardState> shards;
  private volatile Map<Integer, ShardState> shardsByOrdinal;
  private volatile HashRouter router;

  private StreamState(StreamMetadata metadata, Path dir, StoreConfig config, LogConfig logConfig,
      RecordCipher cipher, String arn) throws IOException {
    this.name = metadata.name();
    this.arn = arn;
    this.incarnation = metadata.incarnation();
    this.createdMillis = metadata.createdMillis();
    this.dir = dir;
    this.config = config;
    this.logConfig = logConfig;
    this.cipher = cipher;
    this.associatedData = name.getBytes(StandardCharsets.UTF_8);
    this.appender = new ShardAppender(name, config.account(), cipher, associatedData, this::shard,
        config.clock()::millis);
    this.mode = StreamMode.valueOf(metadata.mode());
    this.retentionHours = metadata.retentionHours();
    this.tags = new LinkedHashMap<>(metadata.tags());
    this.enhancedMonitoring = new LinkedHashSet<>(metadata.enhancedMonitoring());
    this.consumers = new LinkedHashMap<>();
    for (ConsumerMetadata consumer : metadata.consumers()) {
      consumers.put(consumer.name(), consumer);
    }
    this.nextShardOrdinal = metadata.nextShardOrdinal();
    this.status = StreamStatus.valueOf(metadata.status());
    this.statusUntilMillis = metadata.statusUntilMillis();
    this.keyId = metadata.keyId();
    List<ShardState> loaded = new ArrayList<>();
    try {
      for (ShardMetadata shard : metadata.shards()) {
        ShardState state = openShard(shard);
        if (!state.isOpen() && !state.log.isSealed()) {
          // The close was recorded but the process stopped before the log was sealed.
          state.sealLog();
        }
        loaded.add(state);
      }
    } catch (IOException | RuntimeException e) {
      for (ShardState shard : loaded) {
        closeQuietly(shard.log, e);
      }
      throw e;
    }
    publishShards(loaded);
  }

  /** Creates the stream's folder, shard logs and metadata. */
  static StreamState create(String name, long incarnation, StreamMode mode, int shardCount,
      Map<String, String> tags, long nowMillis, Path dir, StoreConfig config, LogConfig logConfig,
      RecordCipher cipher, String arn) throws IOException {
    List<ShardMetadata> shards = new ArrayList<>();
    List<HashKeyRange> ranges = HashRouter.evenRanges(shardCount);
    for (int i = 0; i < shardCount; i++) {
      HashKeyRange range = ranges.get(i);
      shards.add(new ShardMetadata(i, null, null, range.startingHashKey().toString(),
          range.endingHashKey().toString(), nowMillis, null, null));
    }
    boolean delayed = !config.statusDelay().isZero();
    StreamMetadata metadata = new StreamMetadata(StreamMetadata.CURRENT_VERSION, name, incarnation,
        mode.name(), 24, nowMillis,
        (delayed ? StreamStatus.CREATING : StreamStatus.ACTIVE).name(),
        nowMillis + config.statusDelay().toMillis(), new LinkedHashMap<>(tags), null, Set.of(),
        shardCount, shards, List.of());
    metadata.save(dir, logConfig.files());
    return new StreamState(metadata, dir, config, logConfig, cipher, arn);
  }

  /** Opens an existing stream, recovering its logs. */
  static StreamState open(Path dir, StoreConfig config, LogConfig logConfig, RecordCipher cipher,
      java.util.function.Function<String, String> arnOf) throws IOException {
    StreamMetadata metadata = StreamMetadata.load(dir);
    return new StreamState(metadata, dir, config, logConfig, cipher, arnOf.apply(metadata.name()));
  }

  private ShardState openShard(ShardMetadata metadata) throws IOException {
    ShardLog log = ShardLog.open(shardDir(metadata.ordinal()), logConfig);
    ShardThrottle throttle = config.throttling() == ThrottlingMode.AWS
        ? new ShardThrottle(config.clock()) : null;
    return new ShardState(metadata, log, throttle);
  }

  private Path shardDir(int ordinal) {
    return dir.resolve("shards").resolve(SequenceNumbers.shardId(ordinal));
  }

  private void publishShards(List<ShardState> all) {
    List<ShardState> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparingInt(s -> s.ordinal));
    Map<Integer, ShardState> byOrdinal = new HashMap<>();
    List<HashKeyRange> ranges = new ArrayList<>();
    List<Integer> ordinals = new ArrayList<>();
    List<ShardState> open = new ArrayList<>();
    for (ShardState shard : sorted) {
      byOrdinal.put(shard.ordinal, shard);
      if (shard.isOpen()) {
        open.add(shard);
      }
    }
    open.sort(Comparator.comparing(s -> s.hashKeyRange.startingHashKey()));
    for (ShardState shard : open) {
      ranges.add(shard.hashKeyRange);
      ordinals.add(shard.ordinal);
    }
    this.shardsByOrdinal = Map.copyOf(byOrdinal);
    this.shards = List.copyOf(sorted);
    this.router = HashRouter.of(ranges, ordinals.stream().mapToInt(Integer::intValue).toArray());
  }

  // ---- settings ----

  synchronized StreamMode mode() {
    return mode;
  }

  synchronized int retentionHours() {
    return retentionHours;
  }

  synchronized Map<String, String> tags() {
    return new LinkedHashMap<>(tags);
  }

  synchronized Set<String> enhancedMonitoring() {
    return new LinkedHashSet<>(enhancedMonitoring);
  }

  @Nullable String keyId() {
    return keyId;
  }

  synchronized Map<String, ConsumerMetadata> consumers() {
    return new LinkedHashMap<>(consumers);
  }

  /** The status as of {@code nowMillis}: a pending change shows as done once its delay passed. */
  synchronized StreamStatus status(long nowMillis) {
    if ((status == StreamStatus.CREATING || status == StreamStatus.UPDATING)
        && nowMillis >= statusUntilMillis) {
      return StreamStatus.ACTIVE;
    }
    return status;
  }

  /** Refuses a change unless the stream is ACTIVE. */
  synchronized void checkActive(long nowMillis, String account) {
    StreamStatus current = status(nowMillis);
    if (current != StreamStatus.ACTIVE) {
      throw new ResourceInUseException(String.format(
          "Stream %s under account %s not ACTIVE, instead in state %s", name, account, current));
    }
  }

  /** Shows a change as UPDATING for the status delay (at once ACTIVE when there is none). */
  synchronized void markUpdating(long nowMillis) {
    if (!config.statusDelay().isZero()) {
      status = StreamStatus.UPDATING;
      statusUntilMillis = nowMillis + config.statusDelay().toMillis();
    }
  }

  synchronized void markDeleting(long nowMillis) {
    status = StreamStatus.DELETING;
    statusUntilMillis = nowMillis + config.statusDelay().toMillis();
  }

  synchronized long statusUntilMillis() {
    return statusUntilMillis;
  }

  synchronized void setMode(StreamMode newMode) {
    StreamMode old = mode;
    mode = newMode;
    persistOrRevert(() -> mode = old);
  }

  synchronized void setRetentionHours(int hours) {
    int old = retentionHours;
    retentionHours = hours;
    persistOrRevert(() -> retentionHours = old);
    for (ShardState shard : shards) {
      shard.trimComputedAtMillis = Long.MIN_VALUE;
    }
  }

  synchronized void putTags(Map<String, String> added) {
    Map<String, String> old = new LinkedHashMap<>(tags);
    tags.putAll(added);
    persistOrRevert(() -> {
      tags.clear();
      tags.putAll(old);
    });
  }

  synchronized void removeTags(Iterable<String> keys) {
    Map<String, String> old = new LinkedHashMap<>(tags);
    keys.forEach(tags::remove);
    persistOrRevert(() -> {
      tags.clear();
      tags.putAll(old);
    });
  }

  synchronized void setEnhancedMonitoring(Set<String> metrics) {
    Set<String> old = new LinkedHashSet<>(enhancedMonitoring);
    enhancedMonitoring.clear();
    enhancedMonitoring.addAll(metrics);
    persistOrRevert(() -> {
      enhancedMonitoring.clear();
      enhancedMonitoring.addAll(old);
    });
  }

  synchronized void setKeyId(@Nullable String newKeyId) {
    String old = keyId;
    keyId = newKeyId;
    persistOrRevert(() -> keyId = old);
  }

  synchronized void putConsumer(ConsumerMetadata consumer) {
    consumers.put(consumer.name(), consumer);
    persistOrRevert(() -> consumers.remove(consumer.name()));
  }

  synchronized void removeConsumer(String consumerName) {
    ConsumerMetadata old = consumers.remove(consumerName);
    persistOrRevert(() -> consumers.put(consumerName, old));
  }

  synchronized void clearConsumers() {
    Map<String, ConsumerMetadata> old = new LinkedHashMap<>(consumers);
    consumers.clear();
    persistOrRevert(() -> consumers.putAll(old));
  }

  private void persistOrRevert(Runnable revert) {
    try {
      persist();
    } catch (IOException e) {
      revert.run();
      throw new InternalFailureException("could not save the settings of stream " + name + ": " + e, e);
    }
  }

  private synchronized void persist() throws IOException {
    List<ShardMetadata> shardMetadata = new ArrayList<>();
    for (ShardState shard : shards) {
      shardMetadata.add(shard.toMetadata());
    }
    new StreamMetadata(StreamMetadata.CURRENT_VERSION, name, incarnation, mode.name(),
        retentionHours, createdMillis, status.name(), statusUntilMillis, tags, keyId,
        enhancedMonitoring, nextShardOrdinal, shardMetadata, new ArrayList<>(consumers.values()))
        .save(dir, logConfig.files());
  }

  // ---- shards ----

  /** Every shard not yet removed by retention, in creation order. */
  List<ShardState> shards() {
    return shards;
  }

  @Nullable ShardState shard(int ordinal) {
    return shardsByOrdinal.get(ordinal);
  }

  List<ShardState> openShards() {
    List<ShardState> open = new ArrayList<>();
    for (ShardState shard : shards) {
      if (shard.isOpen()) {
        open.add(shard);
      }
    }
    return open;
  }

  int openShardCount() {
    int count = 0;
    for (ShardState shard : shards) {
      if (shard.isOpen()) {
        count++;
      }
    }
    return count;
  }

  /** The shards that continue {@code parent}: those naming it as parent or adjacent parent. */
  List<ChildShard> childrenOf(ShardState parent) {
    // A reshard closes its parents (which readers see at once) before it publishes their
    // children, all under the write side of the lock: waiting for the read side means a reader
    // that saw a parent finished also sees its children, never an empty list.
    reshardLock.readLock().lock();
    try {
      return childrenOfLocked(parent);
    } finally {
      reshardLock.readLock().unlock();
    }
  }

  private List<ChildShard> childrenOfLocked(ShardState parent) {
    List<ChildShard> children = new ArrayList<>();
    for (ShardState shard : shards) {
      if (Integer.valueOf(parent.ordinal).equals(shard.parent)
          || Integer.valueOf(parent.ordinal).equals(shard.adjacentParent)) {
        List<String> parents = new ArrayList<>();
        parents.add(SequenceNumbers.shardId(shard.parent));
        if (shard.adjacentParent != null) {
          parents.add(SequenceNumbers.shardId(shard.adjacentParent));
        }
        children.add(ChildShard.of(shard.shardId, parents, shard.hashKeyRange));
      }
    }
    return children;
  }

  /**
   * Reshards under the write side of the reshard lock: {@code planner} checks the request against
   * the current shards and splits or merges through the {@link Resharder} it is given. The whole
   * change is recorded in one metadata write, after which the parents' logs are sealed; a failure
   * before that write leaves the stream as it was.
   */
  void reshard(ReshardPlanner planner, long nowMillis) {
    reshardLock.writeLock().lock();
    try {
      synchronized (this) {
        Resharder resharder = new Resharder(nowMillis);
        int ordinalBefore = nextShardOrdinal;
        List<ShardState> before = shards;
        try {
          planner.plan(resharder);
          if (resharder.created.isEmpty()) {
            return;
          }
          publishShards(new ArrayList<>(resharder.working.values()));
          // The parents' ends go into stream.json: they must be on disk first, or after a loss
          // of power (durability OS) a parent's log could end below its recorded end, and
          // readers would never see the parent finished.
          for (ShardState shard : resharder.closed) {
            shard.log.force();
          }
          persist();
        } catch (IOException | RuntimeException e) {
          publishShards(before);
          nextShardOrdinal = ordinalBefore;
          for (ShardState shard : resharder.closed) {
            shard.reopenAfterFailedReshard();
          }
          for (ShardState shard : resharder.created) {
            try {
              shard.log.deleteAll();
            } catch (IOException suppressed) {
              e.addSuppressed(suppressed);
            }
          }
          if (e instanceof IOException) {
            throw new InternalFailureException("could not reshard stream " + name + ": " + e, e);
          }
          throw (RuntimeException) e;
        }
        for (ShardState shard : resharder.closed) {
          try {
            shard.sealLog();
          } catch (IOException e) {
            // The close is recorded; reopening the store seals the log again.
            throw new InternalFailureException(
                "stream " + name + " was resharded but sealing " + shard.shardId + " failed: " + e, e);
          }
        }
        LOG.info("Stream {} resharded: closed {}, opened {}", name,
            resharder.closed.stream().map(s -> s.shardId).toList(),
            resharder.created.stream().filter(ShardState::isOpen).map(s -> s.shardId).toList());
      }
    } finally {
      reshardLock.writeLock().unlock();
    }
  }

  /** Checks a reshard request and plans it against the current shards. */
  interface ReshardPlanner {
    void plan(Resharder resharder) throws IOException;
  }

  /** Splits and merges open shards for a {@link ReshardPlanner}; children are open, parents closed. */
  final class Resharder {
    private final long nowMillis;
    private final Map<Integer, ShardState> working = new LinkedHashMap<>();
    private final List<ShardState> created = new ArrayList<>();
    private final List<ShardState> closed = new ArrayList<>();

    private Resharder(long nowMillis) {
      this.nowMillis = nowMillis;
      for (ShardState shard : shards) {
        working.put(shard.ordinal, shard);
      }
    }

    /** The open shards in hash-key order, as changed so far. */
    List<ShardState> openShards() {
      List<ShardState> open = new ArrayList<>();
      for (ShardState shard : working.values()) {
        if (shard.isOpen()) {
          open.add(shard);
        }
      }
      open.sort(Comparator.comparing(s -> s.hashKeyRange.startingHashKey()));
      return open;
    }

    /** Splits {@code parent} so that the second child starts at {@code newStartingHashKey}. */
    List<ShardState> split(ShardState parent, BigInteger newStartingHashKey) throws IOException {
      HashKeyRange range = parent.hashKeyRange;
      ShardState low = child(parent.ordinal, null,
          HashKeyRange.of(range.startingHashKey(), newStartingHashKey.subtract(BigInteger.ONE)));
      ShardState high = child(parent.ordinal, null,
          HashKeyRange.of(newStartingHashKey, range.endingHashKey()));
      closeParent(parent);
      return List.of(low, high);
    }

    /** Merges two adjacent open shards; {@code shard} becomes the parent, {@code adjacent} the adjacent parent. */
    ShardState merge(ShardState shard, ShardState adjacent) throws IOException {
      BigInteger start = shard.hashKeyRange.startingHashKey().min(adjacent.hashKeyRange.startingHashKey());
      BigInteger end = shard.hashKeyRange.endingHashKey().max(adjacent.hashKeyRange.endingHashKey());
      ShardState child = child(shard.ordinal, adjacent.ordinal, HashKeyRange.of(start, end));
      closeParent(shard);
      closeParent(adjacent);
      return child;
    }

    private ShardState child(int parent, @Nullable Integer adjacentParent, HashKeyRange range)
        throws IOException {
      ShardMetadata metadata = new ShardMetadata(nextShardOrdinal, parent, adjacentParent,
          range.startingHashKey().toString(), range.endingHashKey().toString(), nowMillis, null, null);
      ShardState state = openShard(metadata);
      nextShardOrdinal++;
      created.add(state);
      working.put(state.ordinal, state);
      return state;
    }

    private void closeParent(ShardState parent) {
      parent.close(nowMillis);
      closed.add(parent);
    }
  }

  /** Removes closed shards whose every record is past retention, with their files. */
  void dropExpiredClosedShards(long cutoffMillis) throws IOException {
    reshardLock.writeLock().lock();
    try {
      synchronized (this) {
        List<ShardState> keep = new ArrayList<>();
        List<ShardState> drop = new ArrayList<>();
        for (ShardState shard : shards) {
          Long closed = shard.closedMillis();
          boolean expired = closed != null && closed < cutoffMillis
              && (shard.log.lastTimestampMillis() < cutoffMillis);
          (expired ? drop : keep).add(shard);
        }
        if (drop.isEmpty()) {
          return;
        }
        List<ShardState> before = shards;
        publishShards(keep);
        try {
          persist();
        } catch (IOException e) {
          publishShards(before);
          throw e;
        }
        for (ShardState shard : drop) {
          shard.log.deleteAll();
        }
        LOG.info("Stream {}: removed shards past retention {}", name,
            drop.stream().map(s -> s.shardId).toList());
      }
    } finally {
      reshardLock.writeLock().unlock();
    }
  }

  // ---- data ----

  /**
   * Writes a batch: routes every entry, then appends each shard's entries with one log append.
   * Entries over a shard's limits (when throttling) fail alone; the rest are written.
   */
  PutRecordsResult put(List<PutRecordsEntry> entries, BigInteger[] explicitHashKeys) {
    int count = entries.size();
    PutRecordsResultEntry[] results = new PutRecordsResultEntry[count];
    String encryptWith;
    reshardLock.readLock().lock();
    try {
      encryptWith = keyId;
      HashRouter table = router;
      int[] targets = new int[count];
      for (int i = 0; i < count; i++) {
        BigInteger explicit = explicitHashKeys[i];
        targets[i] = explicit != null
            ? table.route(explicit) : table.route(entries.get(i).partitionKey());
      }
      // Group entry indexes by shard, keeping request order within each shard.
      Map<Integer, int[]> groups = new LinkedHashMap<>();
      Map<Integer, Integer> sizes = new HashMap<>();
      for (int target : targets) {
        sizes.merge(target, 1, Integer::sum);
      }
      Map<Integer, Integer> fill = new HashMap<>();
      for (int i = 0; i < count; i++) {
        int target = targets[i];
        int[] group = groups.computeIfAbsent(target, t -> new int[sizes.get(t)]);
        int at = fill.merge(target, 1, Integer::sum) - 1;
        group[at] = i;
      }
      byte attributes = encryptWith == null ? 0 : ENCRYPTED;
      for (Map.Entry<Integer, int[]> group : groups.entrySet()) {
        ShardState shard = shardsByOrdinal.get(group.getKey());
        if (ShardAppender.anyIdempotent(entries, group.getValue())) {
          appender.appendIdempotentGroup(shard, group.getValue(), entries, results, encryptWith,
              (byte) (attributes | PRODUCER));
        } else {
          appender.appendGroup(shard, group.getValue(), entries, results, encryptWith, attributes);
        }
      }
    } finally {
      reshardLock.readLock().unlock();
    }
    return PutRecordsResult.of(Arrays.asList(results),
        encryptWith == null ? EncryptionType.NONE : EncryptionType.KMS);
  }

  /** The first offset of {@code shard} still within retention as of {@code nowMillis}. */
  long trimOffset(ShardState shard, long nowMillis) {
    long computedAt = shard.trimComputedAtMillis;
    // MIN_VALUE means "recompute"; subtracting it would overflow and read as "just computed".
    if (computedAt == Long.MIN_VALUE || nowMillis - computedAt >= 1000 || nowMillis < computedAt) {
      long cutoff = nowMillis - retentionHours() * 3_600_000L;
      try {
        shard.trimOffset = Math.max(shard.log.startOffset(), shard.log.offsetForTimestamp(cutoff));
      } catch (IOException e) {
        throw new InternalFailureException("could not read " + shard.shardId + " of stream " + name + ": " + e, e);
      }
      shard.trimComputedAtMillis = nowMillis;
    }
    return Math.max(shard.trimOffset, shard.log.startOffset());
  }

  /** A read of up to {@code limit} records from {@code offset}, decrypted. */
  ShardRead read(ShardState shard, long offset, int limit, long nowMillis) {
    long from = Math.max(offset, trimOffset(shard, nowMillis));
    LogReadResult result;
    try {
      result = shard.log.read(from, limit, MAX_READ_BYTES);
    } catch (IOException e) {
      throw new InternalFailureException(
          "could not read " + shard.shardId + " of stream " + name + ": " + e.getMessage(), e);
    }
    List<Record> records = new ArrayList<>(result.records().size());
    long bytes = 0;
    long lastTimestamp = -1;
    for (LogRecord logRecord : result.records()) {
      Record record = decode(shard, logRecord);
      records.add(record);
      // Count the record as written (key and data), not as stored: a sealed record also holds
      // its key id, nonce and tag, which would inflate the metrics and the read limit.
      bytes += (logRecord.attributes() & (ENCRYPTED | PRODUCER)) == 0 ? logRecord.sizeInBytes()
          : record.partitionKey().getBytes(StandardCharsets.UTF_8).length + (long) record.data().length;
      lastTimestamp = logRecord.timestampMillis();
    }
    return finishRead(shard, records, result.nextOffset(), lastTimestamp, records.size(), bytes);
  }

  /**
   * As {@link #read}, copying each record from the log's read buffer into {@code answer} instead
   * of decoding it; null, with {@code answer} to be thrown away, if a record is sealed with a
   * stream key (it is then read with {@link #read}).
   */
  @Nullable ShardRead readInto(ShardState shard, long offset, int limit, long nowMillis, RecordsAnswer.Writer answer) {
    long from = Math.max(offset, trimOffset(shard, nowMillis));
    long[] bytes = {0};
    long[] lastTimestamp = {-1};
    boolean[] sealed = {false};
    long next;
    try {
      next = shard.log.frames(from, limit, MAX_READ_BYTES, (buf, at, frameSize) -> {
        byte attributes = LogFrame.attributes(buf, at);
        if ((attributes & ENCRYPTED) != 0) {
          sealed[0] = true;
          return false;
        }
        int keyLength = LogFrame.keyLength(buf, at);
        int valueAt = LogFrame.valueAt(buf, at);
        int valueLength = LogFrame.valueLength(buf, at);
        if ((attributes & PRODUCER) != 0) {
          int header = ProducerHeader.length(buf, valueAt);
          valueAt += header;
          valueLength -= header;
        }
        long timestamp = LogFrame.timestamp(buf, at);
        answer.record(LogFrame.offset(buf, at) + 1, timestamp, buf, LogFrame.keyAt(at), keyLength, valueAt,
            valueLength);
        bytes[0] += keyLength + (long) valueLength;
        lastTimestamp[0] = timestamp;
        return true;
      });
    } catch (IOException e) {
      throw new InternalFailureException(
          "could not read " + shard.shardId + " of stream " + name + ": " + e.getMessage(), e);
    }
    if (sealed[0]) {
      return null;
    }
    return finishRead(shard, List.of(), next, lastTimestamp[0], answer.records(), bytes[0]);
  }

  /** The lag, metrics and shard end of a read that returned {@code count} records up to {@code next}. */
  private ShardRead finishRead(ShardState shard, List<Record> records, long next, long lastTimestamp, int count,
      long bytes) {
    long behind = 0;
    if (next < shard.log.endOffset()) {
      behind = Math.max(0, shard.log.lastTimestampMillis() - Math.max(lastTimestamp, 0));
    } else if (shard.log.appendingAt(next)) {
      // Caught up with what is visible, but records are on their way (an append holds the log,
      // or a group commit's fsync is under way): not caught up, or a reader stopping at a time
      // could pass over records stamped before it that become visible only after this read.
      // They are at most moments newer than this read.
      behind = 1;
    }
    shard.outgoingRecords.add(count);
    shard.outgoingBytes.add(bytes);
    shard.iteratorAgeMillis = behind;
    Long ending = shard.endingOffset();
    boolean finished = ending != null && next >= ending;
    return new ShardRead(records, next, behind, bytes, finished);
  }

  private Record decode(ShardState shard, LogRecord logRecord) {
    String sequenceNumber = shard.sequenceNumber(logRecord.offset());
    Instant arrival = Instant.ofEpochMilli(logRecord.timestampMillis());
    byte[] value = (logRecord.attributes() & PRODUCER) == 0
        ? logRecord.value() : ProducerHeader.value(logRecord.value());
    if ((logRecord.attributes() & ENCRYPTED) == 0) {
      return Record.of(sequenceNumber, arrival,
          new String(logRecord.key(), StandardCharsets.UTF_8), value, EncryptionType.NONE);
    }
    String recordKeyId = new String(logRecord.key(), StandardCharsets.UTF_8);
    ByteBuffer plain = ByteBuffer.wrap(cipher.decrypt(recordKeyId, value, associatedData));
    byte[] partitionKey = new byte[plain.getShort() & 0xFFFF];
    plain.get(partitionKey);
    byte[] data = new byte[plain.remaining()];
    plain.get(data);
    return Record.of(sequenceNumber, arrival, new String(partitionKey, StandardCharsets.UTF_8), data,
        EncryptionType.KMS);
  }

  /** What one read of a shard returned. */
  record ShardRead(List<Record> records, long nextOffset, long millisBehindLatest, long bytes,
      boolean shardFinished) {}

  void close() {
    for (ShardState shard : shards) {
      try {
        shard.log.close();
      } catch (IOException e) {
        throw new UncheckedIOException("could not close " + shard.shardId + " of stream " + name, e);
      }
    }
  }

  private static void closeQuietly(ShardLog log, Throwable primary) {
    try {
      log.close();
    } catch (IOException e) {
      primary.addSuppressed(e);
    }
  }

  /** Checks that {@code shard} is open, for resharding. */
  static void checkOpen(ShardState shard, String streamName) {
    if (!shard.isOpen()) {
      throw new InvalidArgumentException(String.format(
          "Shard %s in stream %s is closed and cannot be resharded", shard.shardId, streamName));
    }
  }
}
