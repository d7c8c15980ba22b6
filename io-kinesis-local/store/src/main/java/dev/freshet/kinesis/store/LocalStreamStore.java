package dev.freshet.kinesis.store;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.kinesis.crypto.LocalKeyStore;
import dev.freshet.kinesis.crypto.RecordCipher;
import dev.freshet.kinesis.log.LogConfig;
import dev.freshet.kinesis.store.StreamMetadata.ConsumerMetadata;
import dev.freshet.kinesis.store.StreamState.ShardRead;
import dev.freshet.sdk.stream.Consumer;
import dev.freshet.sdk.stream.ConsumerStatus;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.ListShardsResult;
import dev.freshet.sdk.stream.ListStreamsResult;
import dev.freshet.sdk.stream.PutRecordResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.PutRecordsResultEntry;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.ShardIteratorType;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamDescription;
import dev.freshet.sdk.stream.StreamLimits;
import dev.freshet.sdk.stream.StreamMetrics;
import dev.freshet.sdk.stream.StreamMode;
import dev.freshet.sdk.stream.StreamStatus;
import dev.freshet.sdk.stream.StreamSummary;
import dev.freshet.sdk.stream.SubscribeToShardEvent;
import dev.freshet.sdk.stream.ShardMetrics;
import dev.freshet.sdk.stream.errors.InternalFailureException;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.LimitExceededException;
import dev.freshet.sdk.stream.errors.ProvisionedThroughputExceededException;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import dev.freshet.sdk.stream.errors.ValidationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded, durable Kinesis Data Streams store: a {@link StreamClient} over per-shard
 * append-only logs in a data folder.
 *
 * <pre>{@code
 * try (LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(dataDir).build())) {
 *   store.createStream(CreateStreamRequest.provisioned("clicks", 4));
 *   store.putRecord("clicks", PutRecordsEntry.of("user-1", "{\"page\":\"/\"}"), null);
 *   String iterator = store.getShardIterator("clicks", "shardId-000000000000", StartingPosition.trimHorizon());
 *   GetRecordsResult page = store.getRecords(iterator, 1000);
 * }
 * }</pre>
 *
 * <p><b>Layout.</b> {@code <dataDir>/streams/<name>/stream.json} holds a stream's settings and
 * shard lineage; {@code <dataDir>/streams/<name>/shards/<shardId>/} its segment files. One process
 * at a time opens a data folder (a lock file guards it).
 *
 * <p><b>Durability.</b> With {@code FSYNC} an acknowledged write is on disk before the call
 * returns (concurrent writers share one sync: group commit); with {@code OS} it is in the page
 * cache and survives a crash of the process. Reads come from the files, so a stream can be far
 * larger than the heap. Recovery truncates a torn tail; a checksum guards every record.
 *
 * <p><b>Semantics.</b> As the service: MD5 routing of partition keys, sequence numbers increasing
 * per shard and unique per stream (children above parents), iterators that expire after five
 * minutes and cannot be edited or used on another stream, retention 24 to 8,760 hours, the
 * service's limits and error names. See {@code docs/store.md} for where it differs.
 */
public final class LocalStreamStore implements StreamClient {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStreamStore.class);

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");
  private static final int MAX_RECORD_BYTES = 1 << 20;
  private static final int MAX_BATCH_RECORDS = 500;
  private static final long MAX_BATCH_BYTES = 5L << 20;
  private static final int MAX_TAGS = 50;
  private static final int MAX_CONSUMERS = 20;
  private static final int MIN_RETENTION_HOURS = 24;
  private static final int MAX_RETENTION_HOURS = 8760;
  private static final long NEXT_TOKEN_TTL_MILLIS = 300_000;
  private static final Set<String> SHARD_LEVEL_METRICS = Set.of("IncomingBytes", "IncomingRecords",
      "OutgoingBytes", "OutgoingRecords", "WriteProvisionedThroughputExceeded",
      "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds", "ALL");

  private final StoreConfig config;
  private final LogConfig logConfig;
  private final Arns arns;
  private final ShardIterators iterators;
  private final LocalKeyStore keyStore;
  private final RecordCipher cipher;
  private final Path streamsDir;
  private final Path trashDir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ConcurrentHashMap<String, StreamState> streams = new ConcurrentHashMap<>();
  private final Object adminLock = new Object();
  private final SecureRandom random = new SecureRandom();
  private final OnDemandScaler scaler;
  private final Subscriptions subscriptions;
  private final ScheduledExecutorService maintenance;
  private volatile boolean closed;

  private LocalStreamStore(StoreConfig config, FileChannel lockChannel, FileLock lock) throws IOException {
    this.config = config;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.logConfig = LogConfig.builder()
        .setDurability(config.durability())
        .setSegmentBytes(config.segmentBytes())
        .setSegmentMaxAgeMillis(config.segmentMaxAge().toMillis())
        .build();
    this.arns = new Arns(config.region(), config.account());
    this.iterators = new ShardIterators(
        ShardIterators.loadOrCreateSecret(config.dataDir().resolve("iterator.secret")),
        config.clock(), config.iteratorTtl());
    this.keyStore = LocalKeyStore.open(config.effectiveKeyStoreFile());
    this.cipher = new RecordCipher(keyStore);
    this.streamsDir = config.dataDir().resolve("streams");
    this.trashDir = config.dataDir().resolve("trash");
    Files.createDirectories(streamsDir);
    deleteRecursively(trashDir);
    loadStreams();
    this.scaler = new OnDemandScaler(config);
    this.subscriptions = new Subscriptions(config);
    this.maintenance = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "freshet-store-maintenance");
      thread.setDaemon(true);
      return thread;
    });
    long interval = config.maintenanceInterval().toMillis();
    maintenance.scheduleWithFixedDelay(this::maintainQuietly, interval, interval, TimeUnit.MILLISECONDS);
  }

  /**
   * Opens (or creates) the store in {@code config.dataDir()}, recovering every shard log. Fails if
   * another process has the folder open.
   */
  public static LocalStreamStore open(StoreConfig config) {
    checkNotNull(config, "config");
    FileChannel channel = null;
    try {
      Files.createDirectories(config.dataDir());
      channel = FileChannel.open(config.dataDir().resolve(".lock"),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock fileLock;
      try {
        fileLock = channel.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException e) {
        fileLock = null; // this JVM already has the folder open
      }
      if (fileLock == null) {
        throw new ResourceInUseException("the data folder " + config.dataDir()
            + " is in use by another Freshet process; stop it or choose another --data-dir");
      }
      LocalStreamStore store = new LocalStreamStore(config, channel, fileLock);
      LOG.info("Store opened in {} with {} streams ({} durability, throttling {})",
          config.dataDir(), store.streams.size(), config.durability(), config.throttling());
      return store;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new InternalFailureException("could not open the store in " + config.dataDir() + ": " + e, e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static void closeQuietly(@Nullable FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // The open failure is the error worth reporting.
      }
    }
  }

  private void loadStreams() throws IOException {
    try (Stream<Path> dirs = Files.list(streamsDir)) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        if (!StreamMetadata.exists(dir)) {
          // A creation that stopped before its metadata was written: nothing was acknowledged.
          LOG.warn("Removing {}: a stream folder without stream.json (an interrupted create)", dir);
          deleteRecursively(dir);
          continue;
        }
        StreamState stream = StreamState.open(dir, config, logConfig, cipher, arns::stream);
        streams.put(stream.name, stream);
      }
    }
  }

  /** The configuration the store runs with. */
  public StoreConfig config() {
    return config;
  }

  private long now() {
    return config.clock().millis();
  }

  // ---- lookup ----

  private StreamState stream(String nameOrArn) {
    checkNotNull(nameOrArn, "stream");
    checkOpen();
    String name = arns.streamName(nameOrArn);
    StreamState stream = streams.get(name);
    if (stream == null) {
      throw notFound(name);
    }
    if (stream.status(now()) == StreamStatus.DELETING && now() >= stream.statusUntilMillis()) {
      finishDelete(stream);
      throw notFound(name);
    }
    return stream;
  }

  /** A stream that takes reads and writes: neither CREATING nor DELETING. */
  private StreamState dataStream(String nameOrArn) {
    StreamState stream = stream(nameOrArn);
    StreamStatus status = stream.status(now());
    if (status == StreamStatus.CREATING || status == StreamStatus.DELETING) {
      throw new ResourceNotFoundException(String.format(
          "Stream %s under account %s is %s and takes no reads or writes yet",
          stream.name, config.account(), status));
    }
    return stream;
  }

  private ResourceNotFoundException notFound(String name) {
    return new ResourceNotFoundException(
        String.format("Stream %s under account %s not found.", name, config.account()));
  }

  private ShardState shard(StreamState stream, String shardId) {
    if (shardId == null || !SequenceNumbers.isShardId(shardId)) {
      throw new ValidationException(String.format("1 validation error detected: Value '%s' at "
          + "'shardId' failed to satisfy constraint: Member must be a shard id such as "
          + "shardId-000000000000", shardId));
    }
    ShardState shard = stream.shard(SequenceNumbers.ordinalOf(shardId));
    if (shard == null) {
      throw new ResourceNotFoundException(String.format(
          "Shard %s in stream %s under account %s does not exist", shardId, stream.name, config.account()));
    }
    return shard;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the store in " + config.dataDir() + " is closed");
    }
  }

  private static void checkName(String what, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new ValidationException(String.format(
          "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: "
              + "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length "
              + "between 1 and 128", value, what));
    }
  }

  // ---- streams ----

  @Override
  public void createStream(CreateStreamRequest request) {
    checkNotNull(request, "request");
    checkOpen();
    checkName("streamName", request.streamName());
    checkTags(request.tags(), 0);
    int shardCount = request.streamMode() == StreamMode.ON_DEMAND
        ? config.onDemandInitialShards() : request.shardCount();
    if (shardCount < 1) {
      throw new InvalidArgumentException("ShardCount must be at least 1, but was: " + shardCount);
    }
    synchronized (adminLock) {
      StreamState existing = streams.get(request.streamName());
      if (existing != null) {
        if (existing.status(now()) == StreamStatus.DELETING && now() >= existing.statusUntilMillis()) {
          finishDelete(existing);
        } else {
          throw new ResourceInUseException(String.format(
              "Stream %s under account %s already exists.", request.streamName(), config.account()));
        }
      }
      int open = openShardCount();
      if (open + shardCount > config.shardLimit()) {
        throw new LimitExceededException(String.format(
            "This request would exceed the shard limit for the account %s in %s. Current limit of "
                + "shards is %d, %d shards are open. Number of additional shards that would have "
                + "resulted from this request: %d.",
            config.account(), config.region(), config.shardLimit(), open, shardCount));
      }
      if (request.streamMode() == StreamMode.ON_DEMAND && onDemandCount() >= config.onDemandStreamLimit()) {
        throw new LimitExceededException("This request would exceed the limit of "
            + config.onDemandStreamLimit() + " on-demand streams");
      }
      Path dir = streamsDir.resolve(request.streamName());
      try {
        deleteRecursively(dir);
        StreamState stream = StreamState.create(request.streamName(), random.nextLong(),
            request.streamMode(), shardCount, request.tags(), now(), dir, config, logConfig, cipher,
            arns.stream(request.streamName()));
        streams.put(stream.name, stream);
      } catch (IOException e) {
        throw new InternalFailureException("could not create stream " + request.streamName() + ": " + e, e);
      }
    }
    LOG.info("Stream {} created: {} shards, {}", request.streamName(), shardCount, request.streamMode());
  }

  private int openShardCount() {
    int open = 0;
    for (StreamState stream : streams.values()) {
      open += stream.openShardCount();
    }
    return open;
  }

  private int onDemandCount() {
    int count = 0;
    for (StreamState stream : streams.values()) {
      if (stream.mode() == StreamMode.ON_DEMAND) {
        count++;
      }
    }
    return count;
  }

  @Override
  public void deleteStream(String nameOrArn, boolean enforceConsumerDeletion) {
    StreamState stream = stream(nameOrArn);
    synchronized (adminLock) {
      if (stream.status(now()) == StreamStatus.DELETING) {
        return;
      }
      if (!stream.consumers().isEmpty()) {
        if (!enforceConsumerDeletion) {
          throw new ResourceInUseException(String.format(
              "Stream %s under account %s has %d registered consumers; deregister them or delete "
                  + "with EnforceConsumerDeletion", stream.name, config.account(), stream.consumers().size()));
        }
        for (String consumer : stream.consumers().keySet()) {
          subscriptions.endConsumer(stream.name, consumer);
        }
      }
      subscriptions.endStream(stream.name);
      if (config.statusDelay().isZero()) {
        finishDelete(stream);
      } else {
        stream.markDeleting(now());
      }
    }
    LOG.info("Stream {} deleted", stream.name);
  }

  private void finishDelete(StreamState stream) {
    synchronized (adminLock) {
      if (!streams.remove(stream.name, stream)) {
        return;
      }
      stream.reshardLock.writeLock().lock();
      try {
        stream.close();
        Path trash = trashDir.resolve(stream.name + "-" + Long.toHexString(stream.incarnation));
        Files.createDirectories(trashDir);
        Files.move(stream.dir, trash);
        deleteRecursively(trash);
      } catch (IOException | UncheckedIOException e) {
        throw new InternalFailureException("could not delete the files of stream " + stream.name + ": " + e, e);
      } finally {
        stream.reshardLock.writeLock().unlock();
      }
    }
  }

  @Override
  public StreamDescription describeStream(String nameOrArn) {
    StreamState stream = stream(nameOrArn);
    List<Shard> shards = new ArrayList<>();
    long cutoff = retentionCutoff(stream);
    for (ShardState shard : stream.shards()) {
      if (withinRetention(shard, cutoff)) {
        shards.add(shard.toShard());
      }
    }
    return StreamDescription.of(summary(stream), shards);
  }

  @Override
  public StreamSummary describeStreamSummary(String nameOrArn) {
    return summary(stream(nameOrArn));
  }

  private StreamSummary summary(StreamState stream) {
    String keyId = stream.keyId();
    return StreamSummary.builder()
        .setStreamName(stream.name)
        .setStreamArn(stream.arn)
        .setStreamStatus(stream.status(now()))
        .setStreamMode(stream.mode())
        .setRetentionPeriodHours(stream.retentionHours())
        .setCreationTimestamp(Instant.ofEpochMilli(stream.createdMillis))
        .setEncryptionType(keyId == null ? dev.freshet.sdk.stream.EncryptionType.NONE
            : dev.freshet.sdk.stream.EncryptionType.KMS)
        .setKeyId(keyId)
        .setOpenShardCount(stream.openShardCount())
        .setConsumerCount(stream.consumers().size())
        .setEnhancedMonitoring(stream.enhancedMonitoring())
        .build();
  }

  @Override
  public ListStreamsResult listStreams(@Nullable String nextToken, int limit) {
    checkOpen();
    if (limit < 1 || limit > 10_000) {
      throw new ValidationException("Limit must be between 1 and 10000, but was: " + limit);
    }
    String after = null;
    if (nextToken != null) {
      after = decodeToken(nextToken, "NextToken");
    }
    TreeMap<String, StreamState> sorted = new TreeMap<>(streams);
    List<StreamSummary> page = new ArrayList<>();
    String last = null;
    boolean more = false;
    for (StreamState stream : (after == null ? sorted : sorted.tailMap(after, false)).values()) {
      if (stream.status(now()) == StreamStatus.DELETING && now() >= stream.statusUntilMillis()) {
        continue;
      }
      if (page.size() == limit) {
        more = true;
        break;
      }
      page.add(summary(stream));
      last = stream.name;
    }
    return ListStreamsResult.of(page, more ? encodeToken(last) : null);
  }

  private static String encodeToken(String value) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodeToken(String token, String what) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException(what + " " + token + " is not a token this store issued");
    }
  }

  @Override
  public void increaseStreamRetentionPeriod(String nameOrArn, int hours) {
    StreamState stream = stream(nameOrArn);
    checkRetentionRange(hours);
    synchronized (stream) {
      stream.checkActive(now(), config.account());
      if (hours < stream.retentionHours()) {
        throw new InvalidArgumentException(String.format(
            "Requested retention period (%d hours) for stream %s can not be shorter than existing "
                + "retention period (%d hours). Use DecreaseRetentionPeriod API.",
            hours, stream.name, stream.retentionHours()));
      }
      stream.setRetentionHours(hours);
      stream.markUpdating(now());
    }
  }

  @Override
  public void decreaseStreamRetentionPeriod(String nameOrArn, int hours) {
    StreamState stream = stream(nameOrArn);
    checkRetentionRange(hours);
    synchronized (stream) {
      stream.checkActive(now(), config.account());
      if (hours > stream.retentionHours()) {
        throw new InvalidArgumentException(String.format(
            "Requested retention period (%d hours) for stream %s can not be longer than existing "
                + "retention period (%d hours). Use IncreaseRetentionPeriod API.",
            hours, stream.name, stream.retentionHours()));
      }
      stream.setRetentionHours(hours);
      stream.markUpdating(now());
    }
    applyRetention(stream);
  }

  private static void checkRetentionRange(int hours) {
    if (hours < MIN_RETENTION_HOURS) {
      throw new InvalidArgumentException(String.format(
          "Minimum allowed retention period is %d hours. Requested retention period (%d hours) is too short.",
          MIN_RETENTION_HOURS, hours));
    }
    if (hours > MAX_RETENTION_HOURS) {
      throw new InvalidArgumentException(String.format(
          "Maximum allowed retention period is %d hours. Requested retention period (%d hours) is too long.",
          MAX_RETENTION_HOURS, hours));
    }
  }

  private long retentionCutoff(StreamState stream) {
    return now() - stream.retentionHours() * 3_600_000L;
  }

  private static boolean withinRetention(ShardState shard, long cutoff) {
    Long closed = shard.closedMillis();
    return closed == null || closed >= cutoff || shard.log.lastTimestampMillis() >= cutoff;
  }

  @Override
  public void addTagsToStream(String nameOrArn, Map<String, String> tags) {
    StreamState stream = stream(nameOrArn);
    synchronized (stream) {
      Map<String, String> current = stream.tags();
      int added = 0;
      for (String key : tags.keySet()) {
        if (!current.containsKey(key)) {
          added++;
        }
      }
      checkTags(tags, current.size() + added - tags.size());
      stream.putTags(tags);
    }
  }

  private void checkTags(Map<String, String> tags, int existingOthers) {
    if (tags.size() > MAX_TAGS || existingOthers + tags.size() > MAX_TAGS) {
      throw new InvalidArgumentException(String.format(
          "a stream cannot have more than %d tags; this request would give it %d",
          MAX_TAGS, existingOthers + tags.size()));
    }
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      String key = tag.getKey();
      if (key == null || key.isEmpty() || key.length() > 128) {
        throw new InvalidArgumentException("tag key must have 1 to 128 characters, but was: '" + key + "'");
      }
      if (tag.getValue() == null || tag.getValue().length() > 256) {
        throw new InvalidArgumentException(
            "tag value for key " + key + " must have 0 to 256 characters, but had: "
                + (tag.getValue() == null ? "none" : tag.getValue().length()));
      }
    }
  }

  @Override
  public void removeTagsFromStream(String nameOrArn, Collection<String> tagKeys) {
    StreamState stream = stream(nameOrArn);
    if (tagKeys.isEmpty() || tagKeys.size() > MAX_TAGS) {
      throw new InvalidArgumentException("TagKeys must name 1 to 50 keys, but named: " + tagKeys.size());
    }
    stream.removeTags(tagKeys);
  }

  @Override
  public Map<String, String> listTagsForStream(String nameOrArn) {
    return stream(nameOrArn).tags();
  }

  @Override
  public void updateStreamMode(String nameOrArn, StreamMode mode) {
    StreamState stream = stream(nameOrArn);
    synchronized (adminLock) {
      synchronized (stream) {
        stream.checkActive(now(), config.account());
        if (stream.mode() == mode) {
          return;
        }
        if (mode == StreamMode.ON_DEMAND && onDemandCount() >= config.onDemandStreamLimit()) {
          throw new LimitExceededException("This request would exceed the limit of "
              + config.onDemandStreamLimit() + " on-demand streams");
        }
        stream.setMode(mode);
        stream.markUpdating(now());
      }
    }
    LOG.info("Stream {} switched to {}", stream.name, mode);
  }

  @Override
  public List<Set<String>> enableEnhancedMonitoring(String nameOrArn, Collection<String> metrics) {
    return changeMonitoring(nameOrArn, metrics, true);
  }

  @Override
  public List<Set<String>> disableEnhancedMonitoring(String nameOrArn, Collection<String> metrics) {
    return changeMonitoring(nameOrArn, metrics, false);
  }

  private List<Set<String>> changeMonitoring(String nameOrArn, Collection<String> metrics, boolean enable) {
    StreamState stream = stream(nameOrArn);
    if (metrics.isEmpty()) {
      throw new InvalidArgumentException("ShardLevelMetrics must name at least one metric");
    }
    for (String metric : metrics) {
      if (!SHARD_LEVEL_METRICS.contains(metric)) {
        throw new InvalidArgumentException("ShardLevelMetrics has unknown metric " + metric
            + "; known: " + new java.util.TreeSet<>(SHARD_LEVEL_METRICS));
      }
    }
    synchronized (stream) {
      Set<String> before = stream.enhancedMonitoring();
      Set<String> requested = new LinkedHashSet<>();
      for (String metric : metrics) {
        if (metric.equals("ALL")) {
          SHARD_LEVEL_METRICS.stream().filter(m -> !m.equals("ALL")).sorted().forEach(requested::add);
        } else {
          requested.add(metric);
        }
      }
      Set<String> after = new LinkedHashSet<>(before);
      if (enable) {
        after.addAll(requested);
      } else {
        after.removeAll(requested);
      }
      stream.setEnhancedMonitoring(after);
      return List.of(before, after);
    }
  }

  @Override
  public StreamLimits describeLimits() {
    checkOpen();
    return StreamLimits.of(config.shardLimit(), openShardCount(), onDemandCount(), config.onDemandStreamLimit());
  }

  // ---- shards ----

  @Override
  public ListShardsResult listShards(ListShardsRequest request) {
    checkOpen();
    ShardListing listing = ShardListing.start(request, arns, now(), NEXT_TOKEN_TTL_MILLIS);
    StreamState stream = stream(listing.streamName());
    if (listing.incarnation() != 0 && listing.incarnation() != stream.incarnation) {
      throw new dev.freshet.sdk.stream.errors.ExpiredNextTokenException(
          "NextToken is for an earlier stream named " + stream.name + " that was deleted");
    }
    long cutoff = retentionCutoff(stream);
    List<ShardState> candidates = new ArrayList<>();
    for (ShardState shard : stream.shards()) {
      if (withinRetention(shard, cutoff) && listing.accepts(shard, cutoff, stream.createdMillis)) {
        candidates.add(shard);
      }
    }
    candidates.sort(Comparator.comparingInt(s -> s.ordinal));
    int max = listing.maxResults();
    List<Shard> page = new ArrayList<>();
    for (int i = 0; i < candidates.size() && i < max; i++) {
      page.add(candidates.get(i).toShard());
    }
    String next = candidates.size() > max
        ? listing.nextToken(stream.incarnation, candidates.get(max - 1).ordinal, now()) : null;
    return ListShardsResult.of(page, next);
  }

  @Override
  public void splitShard(String nameOrArn, String shardToSplit, BigInteger newStartingHashKey) {
    StreamState stream = stream(nameOrArn);
    checkNotNull(newStartingHashKey, "newStartingHashKey");
    stream.reshard(resharder -> {
      stream.checkActive(now(), config.account());
      ShardState parent = shard(stream, shardToSplit);
      checkReshardable(parent, stream);
      HashKeyRange range = parent.hashKeyRange;
      if (newStartingHashKey.compareTo(range.startingHashKey()) <= 0
          || newStartingHashKey.compareTo(range.endingHashKey()) > 0) {
        throw new InvalidArgumentException(String.format(
            "NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account %s "
                + "is not both greater than the shard's StartingHashKey %s and not greater than "
                + "its EndingHashKey %s.",
            newStartingHashKey, parent.shardId, stream.name, config.account(),
            range.startingHashKey(), range.endingHashKey()));
      }
      checkShardLimit(1);
      resharder.split(parent, newStartingHashKey);
      stream.markUpdating(now());
    }, now());
  }

  @Override
  public void mergeShards(String nameOrArn, String shardToMerge, String adjacentShardToMerge) {
    StreamState stream = stream(nameOrArn);
    stream.reshard(resharder -> {
      stream.checkActive(now(), config.account());
      ShardState shard = shard(stream, shardToMerge);
      ShardState adjacent = shard(stream, adjacentShardToMerge);
      checkReshardable(shard, stream);
      checkReshardable(adjacent, stream);
      if (shard == adjacent || !shard.hashKeyRange.isAdjacentTo(adjacent.hashKeyRange)) {
        throw new InvalidArgumentException(String.format(
            "Shards %s and %s in stream %s under account %s are not an adjacent pair of shards "
                + "eligible for merging", shard.shardId, adjacent.shardId, stream.name, config.account()));
      }
      resharder.merge(shard, adjacent);
      stream.markUpdating(now());
    }, now());
  }

  private void checkReshardable(ShardState shard, StreamState stream) {
    if (!shard.isOpen()) {
      throw new InvalidArgumentException(String.format(
          "Shard %s in stream %s under account %s is closed; only open shards can be split or merged",
          shard.shardId, stream.name, config.account()));
    }
  }

  private void checkShardLimit(int additional) {
    int open = openShardCount();
    if (open + additional > config.shardLimit()) {
      throw new LimitExceededException(String.format(
          "This request would exceed the shard limit for the account %s in %s. Current limit of "
              + "shards is %d, %d shards are open. Number of additional shards that would have "
              + "resulted from this request: %d.",
          config.account(), config.region(), config.shardLimit(), open, additional));
    }
  }

  @Override
  public int updateShardCount(String nameOrArn, int targetShardCount) {
    StreamState stream = stream(nameOrArn);
    int[] previous = new int[1];
    stream.reshard(resharder -> {
      stream.checkActive(now(), config.account());
      List<ShardState> open = resharder.openShards();
      int current = open.size();
      previous[0] = current;
      if (targetShardCount < 1) {
        throw new InvalidArgumentException("TargetShardCount must be at least 1, but was: " + targetShardCount);
      }
      if (targetShardCount > current * 2) {
        throw new InvalidArgumentException(String.format(
            "UpdateShardCount cannot scale up over double your current open shard count. Current "
                + "open shard count: %d Target shard count: %d", current, targetShardCount));
      }
      if (targetShardCount < (current + 1) / 2) {
        throw new InvalidArgumentException(String.format(
            "UpdateShardCount cannot scale down below half your current open shard count. Current "
                + "open shard count: %d Target shard count: %d", current, targetShardCount));
      }
      checkShardLimit(Math.max(0, targetShardCount - current));
      UniformScaling.plan(resharder, targetShardCount);
      stream.markUpdating(now());
    }, now());
    return previous[0];
  }

  // ---- data ----

  @Override
  public PutRecordResult putRecord(String nameOrArn, PutRecordsEntry record,
      @Nullable String sequenceNumberForOrdering) {
    checkNotNull(record, "record");
    BigInteger[] explicit = {checkEntry(record, "")};
    if (sequenceNumberForOrdering != null) {
      SequenceNumbers.offset(sequenceNumberForOrdering);
    }
    StreamState stream = dataStream(nameOrArn);
    PutRecordsResult result = stream.put(List.of(record), explicit, now());
    PutRecordsResultEntry entry = result.records().get(0);
    if (!entry.isSuccessful()) {
      if ("ProvisionedThroughputExceededException".equals(entry.errorCode())) {
        throw new ProvisionedThroughputExceededException(entry.errorMessage());
      }
      throw new InternalFailureException(entry.errorMessage());
    }
    return PutRecordResult.of(entry.shardId(), entry.sequenceNumber(), result.encryptionType());
  }

  @Override
  public PutRecordsResult putRecords(String nameOrArn, List<PutRecordsEntry> records) {
    checkNotNull(records, "records");
    if (records.isEmpty() || records.size() > MAX_BATCH_RECORDS) {
      throw new ValidationException(String.format(
          "1 validation error detected: Value at 'records' failed to satisfy constraint: Member "
              + "must have length between 1 and %d, but had %d", MAX_BATCH_RECORDS, records.size()));
    }
    BigInteger[] explicit = new BigInteger[records.size()];
    long total = 0;
    for (int i = 0; i < records.size(); i++) {
      PutRecordsEntry record = records.get(i);
      explicit[i] = checkEntry(record, "records." + (i + 1) + ".member.");
      total += record.data().length + (long) record.partitionKey().getBytes(StandardCharsets.UTF_8).length;
    }
    if (total > MAX_BATCH_BYTES) {
      throw new InvalidArgumentException(
          "Records size exceeds 5 MB limit: the batch holds " + total + " bytes of data and partition keys");
    }
    return dataStream(nameOrArn).put(records, explicit, now());
  }

  /** Validates one record; returns its explicit hash key, or null. */
  private static @Nullable BigInteger checkEntry(PutRecordsEntry record, String where) {
    String key = record.partitionKey();
    int length = key == null ? 0 : key.codePointCount(0, key.length());
    if (length < 1 || length > 256) {
      throw new ValidationException(String.format(
          "1 validation error detected: Value at '%spartitionKey' failed to satisfy constraint: "
              + "Member must have length between 1 and 256, but had %d", where, length));
    }
    if (record.data().length > MAX_RECORD_BYTES) {
      throw new ValidationException(String.format(
          "1 validation error detected: Value at '%sdata' failed to satisfy constraint: Member "
              + "must have length less than or equal to 1048576, but had %d", where, record.data().length));
    }
    String explicit = record.explicitHashKey();
    return explicit == null ? null : HashRouter.parseExplicitHashKey(explicit);
  }

  @Override
  public String getShardIterator(String nameOrArn, String shardId, StartingPosition position) {
    checkNotNull(position, "position");
    StreamState stream = dataStream(nameOrArn);
    ShardState shard = shard(stream, shardId);
    long now = now();
    long offset;
    switch (position.type()) {
      case TRIM_HORIZON:
        offset = stream.trimOffset(shard, now);
        break;
      case LATEST:
        offset = shard.log.endOffset();
        break;
      case AT_TIMESTAMP:
        try {
          offset = Math.max(shard.log.offsetForTimestamp(position.timestamp().toEpochMilli()),
              stream.trimOffset(shard, now));
        } catch (IOException e) {
          throw new InternalFailureException("could not read " + shardId + ": " + e, e);
        }
        break;
      case AT_SEQUENCE_NUMBER:
      case AFTER_SEQUENCE_NUMBER:
        String sequenceNumber = position.sequenceNumber();
        SequenceNumbers.checkBelongsTo(sequenceNumber, shard.ordinal, shard.shardId, stream.name);
        long at = Math.max(0, shard.offsetOf(sequenceNumber));
        offset = position.type() == ShardIteratorType.AFTER_SEQUENCE_NUMBER
            ? shard.offsetOf(sequenceNumber) + 1 : at;
        long end = shard.log.endOffset();
        if (offset > end) {
          throw new InvalidArgumentException(String.format(
              "StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under "
                  + "account %s is invalid because it is past the shard's last record.",
              sequenceNumber, shardId, stream.name, config.account()));
        }
        break;
      default:
        throw new InvalidArgumentException("unknown ShardIteratorType " + position.type());
    }
    return iterators.encode(IteratorPosition.of(stream.name, stream.incarnation, shard.ordinal, offset, 0));
  }

  @Override
  public GetRecordsResult getRecords(String shardIterator, int limit) {
    checkNotNull(shardIterator, "shardIterator");
    checkOpen();
    if (limit < 1 || limit > 10_000) {
      throw new ValidationException(
          "1 validation error detected: Value '" + limit + "' at 'limit' failed to satisfy "
              + "constraint: Member must have value between 1 and 10000");
    }
    IteratorPosition position = iterators.decode(shardIterator);
    StreamState stream = dataStream(position.streamName());
    if (stream.incarnation != position.streamIncarnation()) {
      throw new ResourceNotFoundException("the shard iterator belongs to an earlier stream named "
          + stream.name + " that was deleted");
    }
    ShardState shard = stream.shard(position.shardOrdinal());
    if (shard == null) {
      throw new ResourceNotFoundException(String.format("Shard %s in stream %s under account %s "
          + "does not exist (it is past retention)", SequenceNumbers.shardId(position.shardOrdinal()),
          stream.name, config.account()));
    }
    if (shard.throttle != null && (!shard.throttle.readBytesAvailable() || !shard.throttle.tryAcquireRead())) {
      shard.readThrottled.increment();
      throw new ProvisionedThroughputExceededException(String.format(
          "Rate exceeded for shard %s in stream %s under account %s.", shard.shardId, stream.name,
          config.account()));
    }
    ShardRead read = stream.read(shard, position.offset(), limit, now());
    if (shard.throttle != null) {
      shard.throttle.recordReadBytes(read.bytes());
    }
    String next = read.shardFinished() ? null : iterators.encode(IteratorPosition.of(
        stream.name, stream.incarnation, shard.ordinal, read.nextOffset(), 0));
    return GetRecordsResult.of(read.records(), next, read.millisBehindLatest(),
        read.shardFinished() ? stream.childrenOf(shard) : List.of());
  }

  // ---- encryption ----

  @Override
  public void startStreamEncryption(String nameOrArn, String keyId) {
    StreamState stream = stream(nameOrArn);
    if (keyId == null || keyId.isEmpty() || keyId.length() > 2048) {
      throw new ValidationException("KeyId must have 1 to 2048 characters");
    }
    keyStore.keyOrCreateAwsManaged(keyId);
    synchronized (stream) {
      stream.checkActive(now(), config.account());
      stream.setKeyId(keyId);
      stream.markUpdating(now());
    }
    LOG.info("Stream {}: encryption started with key {}", stream.name, keyId);
  }

  @Override
  public void stopStreamEncryption(String nameOrArn) {
    StreamState stream = stream(nameOrArn);
    synchronized (stream) {
      stream.checkActive(now(), config.account());
      stream.setKeyId(null);
      stream.markUpdating(now());
    }
    LOG.info("Stream {}: encryption stopped", stream.name);
  }

  // ---- enhanced fan-out ----

  @Override
  public Consumer registerStreamConsumer(String nameOrArn, String consumerName) {
    StreamState stream = stream(nameOrArn);
    checkName("consumerName", consumerName);
    synchronized (stream) {
      Map<String, ConsumerMetadata> consumers = stream.consumers();
      if (consumers.containsKey(consumerName)) {
        throw new ResourceInUseException(String.format(
            "Consumer %s already exists on stream %s under account %s", consumerName, stream.name,
            config.account()));
      }
      if (consumers.size() >= MAX_CONSUMERS) {
        throw new LimitExceededException(String.format(
            "Stream %s already has %d consumers, the most a stream can have", stream.name, MAX_CONSUMERS));
      }
      ConsumerMetadata consumer = new ConsumerMetadata(consumerName, now());
      stream.putConsumer(consumer);
      LOG.info("Stream {}: consumer {} registered", stream.name, consumerName);
      return consumer(stream, consumer);
    }
  }

  private Consumer consumer(StreamState stream, ConsumerMetadata consumer) {
    ConsumerStatus status = now() < consumer.createdMillis() + config.statusDelay().toMillis()
        ? ConsumerStatus.CREATING : ConsumerStatus.ACTIVE;
    return Consumer.of(consumer.name(), arns.consumer(stream.name, consumer.name(), consumer.createdMillis()),
        status, Instant.ofEpochMilli(consumer.createdMillis()), stream.arn);
  }

  private record Found(StreamState stream, ConsumerMetadata consumer) {}

  private Found consumerByArn(String consumerArn) {
    checkNotNull(consumerArn, "consumerArn");
    Arns.ConsumerArn arn = arns.parseConsumer(consumerArn);
    StreamState stream = stream(arn.streamName());
    ConsumerMetadata consumer = stream.consumers().get(arn.consumerName());
    if (consumer == null || consumer.createdMillis() / 1000 != arn.createdSeconds()) {
      throw new ResourceNotFoundException("Consumer " + consumerArn + " not found.");
    }
    return new Found(stream, consumer);
  }

  @Override
  public void deregisterStreamConsumer(String consumerArn) {
    Found found = consumerByArn(consumerArn);
    found.stream().removeConsumer(found.consumer().name());
    subscriptions.endConsumer(found.stream().name, found.consumer().name());
    LOG.info("Stream {}: consumer {} deregistered", found.stream().name, found.consumer().name());
  }

  @Override
  public Consumer describeStreamConsumer(String consumerArn) {
    Found found = consumerByArn(consumerArn);
    return consumer(found.stream(), found.consumer());
  }

  @Override
  public List<Consumer> listStreamConsumers(String nameOrArn) {
    StreamState stream = stream(nameOrArn);
    List<Consumer> consumers = new ArrayList<>();
    for (ConsumerMetadata consumer : stream.consumers().values()) {
      consumers.add(consumer(stream, consumer));
    }
    return consumers;
  }

  @Override
  public void subscribeToShard(String consumerArn, String shardId, StartingPosition position,
      Flow.Subscriber<? super SubscribeToShardEvent> subscriber) {
    checkNotNull(subscriber, "subscriber");
    Found found = consumerByArn(consumerArn);
    if (consumer(found.stream(), found.consumer()).consumerStatus() != ConsumerStatus.ACTIVE) {
      throw new ResourceInUseException("Consumer " + consumerArn + " is not ACTIVE yet");
    }
    StreamState stream = found.stream();
    ShardState shard = shard(stream, shardId);
    String iterator = getShardIterator(stream.name, shardId, position);
    IteratorPosition start = iterators.decode(iterator);
    subscriptions.subscribe(this, stream, shard, found.consumer().name(), start.offset(), subscriber);
  }

  /** Reads for a subscription: the same path as GetRecords, without the per-call throttle. */
  ShardRead readForSubscription(StreamState stream, ShardState shard, long offset, int limit) {
    return stream.read(shard, offset, limit, now());
  }

  // ---- metrics ----

  @Override
  public StreamMetrics metrics(String nameOrArn) {
    StreamState stream = stream(nameOrArn);
    Map<String, ShardMetrics> shards = new LinkedHashMap<>();
    for (ShardState shard : stream.shards()) {
      shards.put(shard.shardId, shard.metrics());
    }
    return StreamMetrics.of(stream.name, shards);
  }

  // ---- maintenance ----

  private void maintainQuietly() {
    try {
      runMaintenance();
    } catch (RuntimeException e) {
      LOG.warn("Store maintenance failed; it runs again in {}", config.maintenanceInterval(), e);
    }
  }

  /**
   * One round of background work: finishes delayed deletions, applies retention (whole expired
   * segments and closed shards past retention) and scales on-demand streams. Runs every {@link
   * StoreConfig#maintenanceInterval()}; tests with an injected clock call it directly.
   */
  void runMaintenance() {
    if (closed) {
      return;
    }
    for (StreamState stream : List.copyOf(streams.values())) {
      StreamStatus status = stream.status(now());
      if (status == StreamStatus.DELETING) {
        if (now() >= stream.statusUntilMillis()) {
          finishDelete(stream);
        }
        continue;
      }
      applyRetention(stream);
      if (stream.mode() == StreamMode.ON_DEMAND && status == StreamStatus.ACTIVE) {
        scaler.evaluate(this, stream, now());
      }
    }
    subscriptions.expire(now());
  }

  private void applyRetention(StreamState stream) {
    long cutoff = retentionCutoff(stream);
    try {
      for (ShardState shard : stream.shards()) {
        shard.log.deleteSegmentsBefore(cutoff);
        shard.trimComputedAtMillis = Long.MIN_VALUE;
      }
      stream.dropExpiredClosedShards(cutoff);
    } catch (IOException e) {
      throw new InternalFailureException("retention of stream " + stream.name + " failed: " + e, e);
    }
  }

  /** Splits a hot shard of an on-demand stream at the middle of its range, within the shard limit. */
  boolean splitForScaling(StreamState stream, ShardState shard) {
    boolean[] split = new boolean[1];
    stream.reshard(resharder -> {
      if (!shard.isOpen() || openShardCount() + 1 > config.shardLimit()) {
        return;
      }
      HashKeyRange range = shard.hashKeyRange;
      BigInteger middle = range.startingHashKey().add(range.endingHashKey()).add(BigInteger.ONE).shiftRight(1);
      if (middle.compareTo(range.startingHashKey()) <= 0) {
        return;
      }
      resharder.split(shard, middle);
      split[0] = true;
    }, now());
    return split[0];
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    maintenance.shutdownNow();
    try {
      maintenance.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    subscriptions.close();
    RuntimeException failure = null;
    for (StreamState stream : streams.values()) {
      try {
        stream.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      if (failure == null) {
        failure = new UncheckedIOException(e);
      }
    }
    LOG.info("Store in {} closed", config.dataDir());
    if (failure != null) {
      throw failure;
    }
  }

  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      List<Path> all = walk.sorted(Comparator.reverseOrder()).toList();
      for (Path each : all) {
        Files.deleteIfExists(each);
      }
    }
  }
}
