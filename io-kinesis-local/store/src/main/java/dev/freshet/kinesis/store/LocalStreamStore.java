package dev.freshet.kinesis.store;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.kinesis.crypto.LocalKeyStore;
import dev.freshet.kinesis.crypto.RecordCipher;
import dev.freshet.kinesis.log.LogConfig;
import dev.freshet.kinesis.log.LogFiles;
import dev.freshet.sdk.stream.Consumer;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.ListShardsResult;
import dev.freshet.sdk.stream.ListStreamsResult;
import dev.freshet.sdk.stream.PutRecordResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamDescription;
import dev.freshet.sdk.stream.StreamLimits;
import dev.freshet.sdk.stream.StreamMetrics;
import dev.freshet.sdk.stream.StreamMode;
import dev.freshet.sdk.stream.StreamStatus;
import dev.freshet.sdk.stream.StreamSummary;
import dev.freshet.sdk.stream.SubscribeToShardEvent;
import dev.freshet.sdk.stream.errors.InternalFailureException;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
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
 *
 * <p><b>Structure.</b> This class owns the data folder (its lock, the stream folders, loading,
 * creating and removing them) and the streams in it, and looks streams and shards up for the
 * operations, which it hands by role to package-private classes: {@link RequestValidation} checks
 * every request's shape and limits, {@link StreamAdministration} runs the control plane, {@link
 * Resharding} splits and merges shards, {@link DataPlane} writes and reads records, {@link
 * EnhancedFanOut} serves consumers, and {@link StoreMaintenance} applies retention and runs the
 * background work.
 */
public final class LocalStreamStore implements StreamClient {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStreamStore.class);

  private final StoreConfig config;
  private final LogConfig logConfig;
  private final LogFiles files;
  private final Arns arns;
  private final RecordCipher cipher;
  private final Path streamsDir;
  private final Path trashDir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ConcurrentHashMap<String, StreamState> streams = new ConcurrentHashMap<>();
  /** Held while the set of streams changes, and while a decision depends on it. */
  private final Object streamsLock = new Object();
  private final SecureRandom random = new SecureRandom();
  private final RequestValidation validation;
  private final Subscriptions subscriptions;
  private final StoreMaintenance maintenance;
  private final StreamAdministration administration;
  private final Resharding resharding;
  private final DataPlane dataPlane;
  private final EnhancedFanOut fanOut;
  private volatile boolean closed;

  private LocalStreamStore(StoreConfig config, LogFiles files, FileChannel lockChannel, FileLock lock)
      throws IOException {
    this.config = config;
    this.files = files;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.logConfig = LogConfig.builder()
        .setFiles(files)
        .setDurability(config.durability())
        .setSegmentBytes(config.segmentBytes())
        .setSegmentMaxAgeMillis(config.segmentMaxAge().toMillis())
        .build();
    this.arns = new Arns(config.region(), config.account());
    ShardIterators iterators = new ShardIterators(
        ShardIterators.loadOrCreateSecret(config.dataDir().resolve("iterator.secret")),
        config.clock(), config.iteratorTtl());
    LocalKeyStore keyStore = LocalKeyStore.open(config.effectiveKeyStoreFile());
    if (config.keysBesideData() && !keyStore.keyIds().isEmpty()) {
      warnKeysBesideData(config);
    }
    this.cipher = new RecordCipher(keyStore);
    this.streamsDir = config.dataDir().resolve("streams");
    this.trashDir = config.dataDir().resolve("trash");
    files.createDirectories(streamsDir);
    files.deleteRecursively(trashDir);
    loadStreams();
    this.validation = new RequestValidation(config);
    this.subscriptions = new Subscriptions(config);
    this.resharding = new Resharding(this, validation);
    this.maintenance = new StoreMaintenance(this, resharding, subscriptions);
    this.administration = new StreamAdministration(this, validation, arns, keyStore, subscriptions, maintenance);
    this.dataPlane = new DataPlane(this, validation, iterators);
    this.fanOut = new EnhancedFanOut(this, validation, arns, iterators, subscriptions, dataPlane);
    maintenance.start();
  }

  /**
   * Opens (or creates) the store in {@code config.dataDir()}, recovering every shard log. Fails if
   * another process has the folder open.
   */
  public static LocalStreamStore open(StoreConfig config) {
    return open(config, LogFiles.system());
  }

  /** As {@link #open(StoreConfig)}, with every durable file operation through {@code files}. */
  static LocalStreamStore open(StoreConfig config, LogFiles files) {
    checkNotNull(config, "config");
    checkNotNull(files, "files");
    FileChannel channel = null;
    try {
      files.createDirectories(config.dataDir());
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
      LocalStreamStore store = new LocalStreamStore(config, files, channel, fileLock);
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
          files.deleteRecursively(dir);
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

  // ---- for the operations: the clock, the streams and their folders ----

  long now() {
    return config.clock().millis();
  }

  boolean isClosed() {
    return closed;
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the store in " + config.dataDir() + " is closed");
    }
  }

  /** The stream a request names, by name or ARN; finishes its deletion if that is due. */
  StreamState stream(String nameOrArn) {
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
  StreamState dataStream(String nameOrArn) {
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

  /** A shard of {@code stream} by id. */
  ShardState shard(StreamState stream, String shardId) {
    validation.checkShardId(shardId);
    ShardState shard = stream.shard(SequenceNumbers.ordinalOf(shardId));
    if (shard == null) {
      throw new ResourceNotFoundException(String.format(
          "Shard %s in stream %s under account %s does not exist", shardId, stream.name, config.account()));
    }
    return shard;
  }

  /** Every stream, including those being deleted (a live view). */
  Collection<StreamState> streams() {
    return streams.values();
  }

  /** A copy of the streams by name, in name order. */
  NavigableMap<String, StreamState> streamsByName() {
    return new TreeMap<>(streams);
  }

  /** The stream of that exact name, whatever its status, or null. */
  @Nullable StreamState existing(String name) {
    return streams.get(name);
  }

  /**
   * The lock held while the set of streams changes (create, finishing a delete) and while a
   * decision depends on it (the on-demand stream count); it may be taken before a stream's monitor.
   */
  Object streamsLock() {
    return streamsLock;
  }

  /** The open shards of all streams, for the account's shard limit. */
  int openShardCount() {
    int open = 0;
    for (StreamState stream : streams.values()) {
      open += stream.openShardCount();
    }
    return open;
  }

  /** The on-demand streams, for the account's limit of them. */
  int onDemandCount() {
    int count = 0;
    for (StreamState stream : streams.values()) {
      if (stream.mode() == StreamMode.ON_DEMAND) {
        count++;
      }
    }
    return count;
  }

  /**
   * Creates a stream's folder, shard logs and metadata (replacing any leftover folder of that name)
   * and adds it to the store. The caller holds {@link #streamsLock()} and has checked the request.
   */
  StreamState addStream(String name, StreamMode mode, int shardCount, Map<String, String> tags) {
    Path dir = streamsDir.resolve(name);
    try {
      files.deleteRecursively(dir);
      StreamState stream = StreamState.create(name, random.nextLong(), mode, shardCount, tags, now(), dir,
          config, logConfig, cipher, arns.stream(name));
      streams.put(stream.name, stream);
      return stream;
    } catch (IOException e) {
      throw new InternalFailureException("could not create stream " + name + ": " + e, e);
    }
  }

  /** Removes a stream from the store and deletes its files (through the trash folder). */
  void finishDelete(StreamState stream) {
    synchronized (streamsLock) {
      if (!streams.remove(stream.name, stream)) {
        return;
      }
      stream.reshardLock.writeLock().lock();
      try {
        stream.close();
        Path trash = trashDir.resolve(stream.name + "-" + Long.toHexString(stream.incarnation));
        files.createDirectories(trashDir);
        files.move(stream.dir, trash);
        // A deleted stream must not come back after a loss of power.
        files.forceDirectory(streamsDir);
        files.deleteRecursively(trash);
      } catch (IOException | UncheckedIOException e) {
        throw new InternalFailureException("could not delete the files of stream " + stream.name + ": " + e, e);
      } finally {
        stream.reshardLock.writeLock().unlock();
      }
    }
  }

  // ---- streams ----

  @Override
  public void createStream(CreateStreamRequest request) {
    administration.createStream(request);
  }

  @Override
  public void deleteStream(String nameOrArn, boolean enforceConsumerDeletion) {
    administration.deleteStream(nameOrArn, enforceConsumerDeletion);
  }

  @Override
  public StreamDescription describeStream(String nameOrArn) {
    return administration.describeStream(nameOrArn);
  }

  @Override
  public StreamSummary describeStreamSummary(String nameOrArn) {
    return administration.describeStreamSummary(nameOrArn);
  }

  @Override
  public ListStreamsResult listStreams(@Nullable String nextToken, int limit) {
    return administration.listStreams(nextToken, limit);
  }

  @Override
  public void increaseStreamRetentionPeriod(String nameOrArn, int hours) {
    administration.increaseStreamRetentionPeriod(nameOrArn, hours);
  }

  @Override
  public void decreaseStreamRetentionPeriod(String nameOrArn, int hours) {
    administration.decreaseStreamRetentionPeriod(nameOrArn, hours);
  }

  @Override
  public void addTagsToStream(String nameOrArn, Map<String, String> tags) {
    administration.addTagsToStream(nameOrArn, tags);
  }

  @Override
  public void removeTagsFromStream(String nameOrArn, Collection<String> tagKeys) {
    administration.removeTagsFromStream(nameOrArn, tagKeys);
  }

  @Override
  public Map<String, String> listTagsForStream(String nameOrArn) {
    return administration.listTagsForStream(nameOrArn);
  }

  @Override
  public void updateStreamMode(String nameOrArn, StreamMode mode) {
    administration.updateStreamMode(nameOrArn, mode);
  }

  @Override
  public List<Set<String>> enableEnhancedMonitoring(String nameOrArn, Collection<String> metrics) {
    return administration.changeMonitoring(nameOrArn, metrics, true);
  }

  @Override
  public List<Set<String>> disableEnhancedMonitoring(String nameOrArn, Collection<String> metrics) {
    return administration.changeMonitoring(nameOrArn, metrics, false);
  }

  @Override
  public StreamLimits describeLimits() {
    return administration.describeLimits();
  }

  // ---- shards ----

  @Override
  public ListShardsResult listShards(ListShardsRequest request) {
    return administration.listShards(request);
  }

  @Override
  public void splitShard(String nameOrArn, String shardToSplit, BigInteger newStartingHashKey) {
    resharding.splitShard(nameOrArn, shardToSplit, newStartingHashKey);
  }

  @Override
  public void mergeShards(String nameOrArn, String shardToMerge, String adjacentShardToMerge) {
    resharding.mergeShards(nameOrArn, shardToMerge, adjacentShardToMerge);
  }

  @Override
  public int updateShardCount(String nameOrArn, int targetShardCount) {
    return resharding.updateShardCount(nameOrArn, targetShardCount);
  }

  // ---- data ----

  @Override
  public PutRecordResult putRecord(String nameOrArn, PutRecordsEntry record,
      @Nullable String sequenceNumberForOrdering) {
    return dataPlane.putRecord(nameOrArn, record, sequenceNumberForOrdering);
  }

  @Override
  public PutRecordsResult putRecords(String nameOrArn, List<PutRecordsEntry> records) {
    return dataPlane.putRecords(nameOrArn, records);
  }

  @Override
  public String getShardIterator(String nameOrArn, String shardId, StartingPosition position) {
    return dataPlane.getShardIterator(nameOrArn, shardId, position);
  }

  @Override
  public GetRecordsResult getRecords(String shardIterator, int limit) {
    return dataPlane.getRecords(shardIterator, limit);
  }

  /**
   * GetRecords for {@code freshet server}'s binary answer ({@link dev.freshet.sdk.wire.RecordsAnswer}):
   * the records copied from the log into that layout without decoding them, when the read
   * continues the shard and holds no record sealed with a stream key; otherwise the same read as
   * {@link #getRecords} returns it. Checks and throttles as {@link #getRecords} does.
   */
  public RecordsRead getRecordsAnswer(String shardIterator, int limit) {
    return dataPlane.getRecordsAnswer(shardIterator, limit);
  }

  // ---- encryption ----

  @Override
  public void startStreamEncryption(String nameOrArn, String keyId) {
    administration.startStreamEncryption(nameOrArn, keyId);
  }

  @Override
  public void stopStreamEncryption(String nameOrArn) {
    administration.stopStreamEncryption(nameOrArn);
  }

  // ---- enhanced fan-out ----

  @Override
  public Consumer registerStreamConsumer(String nameOrArn, String consumerName) {
    return fanOut.registerStreamConsumer(nameOrArn, consumerName);
  }

  @Override
  public void deregisterStreamConsumer(String consumerArn) {
    fanOut.deregisterStreamConsumer(consumerArn);
  }

  @Override
  public Consumer describeStreamConsumer(String consumerArn) {
    return fanOut.describeStreamConsumer(consumerArn);
  }

  @Override
  public List<Consumer> listStreamConsumers(String nameOrArn) {
    return fanOut.listStreamConsumers(nameOrArn);
  }

  @Override
  public void subscribeToShard(String consumerArn, String shardId, StartingPosition position,
      Flow.Subscriber<? super SubscribeToShardEvent> subscriber) {
    fanOut.subscribeToShard(consumerArn, shardId, position, subscriber);
  }

  // ---- metrics ----

  /**
   * The enhanced fan-out subscriptions of a stream that are live now, each with how far behind the
   * shard's newest record it is (what the console shows as consumer lag). Not part of the Kinesis
   * API: a subscription lives only while a consumer reads.
   *
   * @throws ResourceNotFoundException if the stream does not exist
   */
  public List<SubscriptionLag> subscriptionLag(String nameOrArn) {
    return subscriptions.lag(describeStreamSummary(nameOrArn).streamName());
  }

  @Override
  public StreamMetrics metrics(String nameOrArn) {
    return dataPlane.metrics(nameOrArn);
  }

  // ---- maintenance ----

  /**
   * One round of background work: finishes delayed deletions, applies retention (whole expired
   * segments and closed shards past retention) and scales on-demand streams. Runs every {@link
   * StoreConfig#maintenanceInterval()}; tests with an injected clock call it directly.
   */
  void runMaintenance() {
    maintenance.run();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    maintenance.stop();
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

  /** Says why keys inside the data folder are a risk, and how to keep them elsewhere. */
  static void warnKeysBesideData(StoreConfig config) {
    LOG.warn("Encryption keys are kept inside the data folder, in {}: a copy of the folder carries "
        + "the keys that decrypt it. Keep them elsewhere with StoreConfig.setKeyStoreFile "
        + "(freshet --key-store FILE, or the FRESHET_KEY_STORE environment variable).",
        config.effectiveKeyStoreFile());
  }}
