package dev.freshet.kinesis.video;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.log.LogConfig;
import dev.freshet.kinesis.log.ShardLog;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable store of Kinesis video streams and their fragments, embeddable in any JVM program:
 * the server's Kinesis Video API ({@link VideoService}), {@code freshet video} and pipelines read
 * and write through it.
 *
 * <pre>{@code
 * try (VideoFragmentStore store = VideoFragmentStore.open(dataDir.resolve("video"), Durability.OS)) {
 *   store.createStream("camera-1", null, "video/h264", 24);
 *   try (InputStream mkv = Files.newInputStream(file)) {
 *     MediaIngest.run(store, "camera-1", mkv, MediaIngest.TimecodeType.RELATIVE, null, ack -> {});
 *   }
 *   Fragment first = store.readFragment("camera-1", store.listFragments("camera-1").get(0).fragmentNumber());
 * }
 * }</pre>
 *
 * <h2>Storage</h2>
 *
 * Each stream is one log of the store's segment format ({@link ShardLog}: checksummed frames,
 * group commit under {@link Durability#FSYNC}, torn tails truncated at recovery) in {@code
 * streams/<name>/log}, beside its description {@code streams/<name>/stream.json}. A fragment is
 * one batch of that log (see {@code VideoStream}), so it survives a crash whole or not at all.
 * Retention deletes whole segments older than the stream's DataRetentionInHours, checked every
 * minute. One process at a time opens a folder (a lock file says so).
 *
 * <h2>Threads</h2>
 *
 * All methods are thread-safe. A stream takes one ingest session at a time.
 */
public final class VideoFragmentStore implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(VideoFragmentStore.class);
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,256}");
  static final int MAX_RETENTION_HOURS = 87600;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final LogConfig logConfig;
  private final Clock clock;
  private final String region;
  private final String account;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Map<String, VideoStream> streams = new ConcurrentHashMap<>();
  private final ScheduledExecutorService maintenance;
  private volatile boolean closed;

  private VideoFragmentStore(Path dir, LogConfig logConfig, Clock clock, String region, String account,
      FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.logConfig = logConfig;
    this.clock = clock;
    this.region = region;
    this.account = account;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.maintenance = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "freshet-video-retention");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Opens (creating if needed) the store in {@code dir}, with ARNs in us-east-1 and account 000000000000. */
  public static VideoFragmentStore open(Path dir, Durability durability) {
    return open(dir, LogConfig.builder().setDurability(durability).build(), Clock.systemUTC(),
        "us-east-1", "000000000000");
  }

  /**
   * Opens (creating if needed) the store in {@code dir}, recovering every stream's log.
   *
   * @throws IllegalStateException if another process has the folder open
   * @throws UncheckedIOException if the folder cannot be read or written
   */
  public static VideoFragmentStore open(Path dir, LogConfig logConfig, Clock clock, String region,
      String account) {
    checkNotNull(dir, "dir");
    checkNotNull(logConfig, "logConfig");
    checkNotNull(clock, "clock");
    try {
      Files.createDirectories(dir.resolve("streams"));
      FileChannel lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException e) {
        lock = null; // held by this same JVM
      }
      if (lock == null) {
        lockChannel.close();
        throw new IllegalStateException("The video store in " + dir + " is open in another process "
            + "(a running freshet server?); stop it or go through its endpoint");
      }
      VideoFragmentStore store = new VideoFragmentStore(dir, logConfig, clock, region, account, lockChannel, lock);
      try {
        store.recover();
      } catch (IOException | RuntimeException e) {
        store.close();
        throw e;
      }
      store.maintenance.scheduleWithFixedDelay(store::enforceRetentionQuietly, 1, 1, TimeUnit.MINUTES);
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the video store in " + dir, e);
    }
  }

  private void recover() throws IOException {
    try (Stream<Path> children = Files.list(dir.resolve("streams"))) {
      for (Path streamDir : children.sorted().toList()) {
        Path description = streamDir.resolve("stream.json");
        if (!Files.isRegularFile(description)) {
          // A CreateStream that crashed before its description was written, or a half-done delete.
          deleteRecursively(streamDir);
          continue;
        }
        VideoStreamInfo info = readInfo(description);
        streams.put(info.streamName(), new VideoStream(streamDir,
            ShardLog.open(streamDir.resolve("log"), logConfig), info));
      }
    }
  }

  // ---- control plane ----

  /**
   * Creates a stream, ready at once.
   *
   * @throws VideoException ResourceInUseException if it exists, InvalidArgumentException for a bad
   *     name or retention
   */
  public synchronized VideoStreamInfo createStream(String streamName, @Nullable String deviceName,
      @Nullable String mediaType, int dataRetentionInHours) {
    return createStream(streamName, deviceName, mediaType, null, dataRetentionInHours);
  }

  /** As {@link #createStream(String, String, String, int)}, recording a KMS key id (not used to encrypt). */
  public synchronized VideoStreamInfo createStream(String streamName, @Nullable String deviceName,
      @Nullable String mediaType, @Nullable String kmsKeyId, int dataRetentionInHours) {
    ensureOpen();
    checkName(streamName);
    if (dataRetentionInHours < 0 || dataRetentionInHours > MAX_RETENTION_HOURS) {
      throw VideoException.invalid("DataRetentionInHours must be between 0 and " + MAX_RETENTION_HOURS
          + ", but was: " + dataRetentionInHours);
    }
    if (streams.containsKey(streamName)) {
      throw new VideoException("ResourceInUseException", 400, "The stream " + streamName + " already exists");
    }
    long now = clock.millis();
    VideoStreamInfo info = VideoStreamInfo.of(streamName,
        "arn:aws:kinesisvideo:" + region + ":" + account + ":stream/" + streamName + "/" + now,
        deviceName, mediaType, kmsKeyId == null ? "arn:aws:kms:" + region + ":" + account + ":alias/aws/kinesisvideo" : kmsKeyId,
        newVersion(), now, dataRetentionInHours);
    Path streamDir = dir.resolve("streams").resolve(streamName);
    try {
      deleteRecursively(streamDir);
      ShardLog log = ShardLog.open(streamDir.resolve("log"), logConfig);
      writeInfo(streamDir, info);
      streams.put(streamName, new VideoStream(streamDir, log, info));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the video stream " + streamName, e);
    }
    LOG.info("Video stream {} created", streamName);
    return info;
  }

  /** @throws VideoException ResourceNotFoundException */
  public VideoStreamInfo describeStream(String streamName) {
    return stream(streamName).info();
  }

  /** The stream named by an ARN (as the API also accepts). */
  public String streamNameOf(String streamArn) {
    for (VideoStream stream : streams.values()) {
      if (stream.info().streamArn().equals(streamArn)) {
        return stream.info().streamName();
      }
    }
    throw VideoException.notFound("No video stream with ARN " + FragmentNumbers.abbreviate(streamArn));
  }

  /** Every stream, by name. */
  public List<VideoStreamInfo> listStreams() {
    return streams.values().stream().map(VideoStream::info)
        .sorted(Comparator.comparing(VideoStreamInfo::streamName)).toList();
  }

  /**
   * Deletes a stream and its fragments. With {@code currentVersion}, only if it is the stream's
   * version (else VersionMismatchException).
   */
  public synchronized void deleteStream(String streamName, @Nullable String currentVersion) {
    VideoStream stream = stream(streamName);
    checkVersion(stream, currentVersion);
    streams.remove(streamName);
    stream.markDeleted();
    try {
      stream.log.deleteAll();
      deleteRecursively(stream.dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the files of video stream " + streamName, e);
    }
    LOG.info("Video stream {} deleted", streamName);
  }

  /** Changes the retention by {@code changeInHours} (negative to decrease); returns the new description. */
  public synchronized VideoStreamInfo updateDataRetention(String streamName, String currentVersion,
      int changeInHours) {
    VideoStream stream = stream(streamName);
    checkNotNull(currentVersion, "currentVersion");
    checkVersion(stream, currentVersion);
    VideoStreamInfo info = stream.info();
    long hours = (long) info.dataRetentionInHours() + changeInHours;
    if (hours < 0 || hours > MAX_RETENTION_HOURS) {
      throw VideoException.invalid("The data retention of " + streamName + " would become " + hours
          + " hours; it must stay between 0 and " + MAX_RETENTION_HOURS);
    }
    VideoStreamInfo updated = VideoStreamInfo.of(info.streamName(), info.streamArn(), info.deviceName(),
        info.mediaType(), info.kmsKeyId(), newVersion(), info.creationTimeMillis(), (int) hours);
    try {
      writeInfo(stream.dir, updated);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update video stream " + streamName, e);
    }
    stream.setInfo(updated);
    return updated;
  }

  // ---- fragments ----

  /** Every stored fragment of the stream, oldest first. */
  public List<FragmentInfo> listFragments(String streamName) {
    List<FragmentInfo> fragments = new ArrayList<>();
    for (VideoStream.Entry entry : stream(streamName).entries()) {
      fragments.add(entry.info());
    }
    return fragments;
  }

  /** One fragment with its media. @throws VideoException ResourceNotFoundException if it is not stored */
  public Fragment readFragment(String streamName, String fragmentNumber) {
    VideoStream stream = stream(streamName);
    try {
      return stream.read(FragmentNumbers.offset(fragmentNumber));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read fragment " + fragmentNumber + " of " + streamName, e);
    }
  }

  /** One fragment's metadata. @throws VideoException ResourceNotFoundException if it is not stored */
  public FragmentInfo readFragmentInfo(String streamName, String fragmentNumber) {
    VideoStream stream = stream(streamName);
    VideoStream.Entry entry = stream.entry(FragmentNumbers.offset(fragmentNumber));
    if (entry == null) {
      throw VideoException.notFound("No fragment " + fragmentNumber + " in stream " + streamName
          + " (never stored, or expired by retention)");
    }
    return entry.info();
  }

  /**
   * The first stored fragment at or after {@code selector}'s position, if there is one now. For
   * {@link StartSelector.Type#NOW} there never is: use {@link #awaitFragment}.
   */
  public Optional<FragmentInfo> firstFragment(String streamName, StartSelector selector) {
    VideoStream stream = stream(streamName);
    long offset = startOffset(stream, selector);
    Map.Entry<Long, VideoStream.Entry> found = stream.ceiling(offset);
    return found == null ? Optional.empty() : Optional.of(found.getValue().info());
  }

  /** The fragment stored after {@code fragmentNumber}, if there is one now. */
  public Optional<FragmentInfo> nextFragment(String streamName, String fragmentNumber) {
    Map.Entry<Long, VideoStream.Entry> found =
        stream(streamName).ceiling(FragmentNumbers.offset(fragmentNumber) + 1);
    return found == null ? Optional.empty() : Optional.of(found.getValue().info());
  }

  /**
   * Where a reader starting at {@code selector} begins, as a position for {@link #awaitFragment}:
   * the number a fragment stored there has or will have.
   */
  public String startPosition(String streamName, StartSelector selector) {
    return FragmentNumbers.of(startOffset(stream(streamName), selector));
  }

  /**
   * Waits up to {@code timeoutMillis} for a fragment numbered {@code position} or later (a number
   * from {@link #startPosition}, or one more than a fragment read); returns it, or empty if none
   * came or the stream was deleted.
   */
  public Optional<FragmentInfo> awaitFragment(String streamName, String position, long timeoutMillis)
      throws InterruptedException {
    VideoStream stream = stream(streamName);
    long offset = FragmentNumbers.offset(position);
    if (!stream.awaitFragment(offset, timeoutMillis, TimeUnit.MILLISECONDS)) {
      return Optional.empty();
    }
    Map.Entry<Long, VideoStream.Entry> found = stream.ceiling(offset);
    return found == null ? Optional.empty() : Optional.of(found.getValue().info());
  }

  /** The position just after {@code fragmentNumber}, for {@link #awaitFragment}. */
  public static String positionAfter(String fragmentNumber) {
    return FragmentNumbers.of(FragmentNumbers.offset(fragmentNumber) + 1);
  }

  private long startOffset(VideoStream stream, StartSelector selector) {
    switch (selector.type()) {
      case EARLIEST:
        return stream.log.startOffset();
      case NOW:
        return stream.endOffset();
      case FRAGMENT_NUMBER: {
        long offset = FragmentNumbers.offset(selector.fragmentNumber());
        if (stream.entry(offset) == null) {
          throw VideoException.notFound("No fragment " + selector.fragmentNumber() + " in stream "
              + stream.info().streamName());
        }
        return offset;
      }
      case CONTINUATION_TOKEN:
        return FragmentNumbers.offset(selector.continuationToken()) + 1;
      case SERVER_TIMESTAMP: {
        long at = selector.timestampMillis();
        for (VideoStream.Entry entry : stream.entries()) {
          if (entry.info().serverTimestampMillis() >= at) {
            return FragmentNumbers.offset(entry.info().fragmentNumber());
          }
        }
        return stream.endOffset();
      }
      case PRODUCER_TIMESTAMP: {
        long at = selector.timestampMillis();
        for (VideoStream.Entry entry : stream.entries()) {
          if (entry.info().producerTimestampMillis() >= at) {
            return FragmentNumbers.offset(entry.info().fragmentNumber());
          }
        }
        return stream.endOffset();
      }
      default:
        throw new IllegalStateException("unknown selector " + selector.type());
    }
  }

  /** Runs retention now on every stream (it also runs every minute). */
  public void enforceRetention() throws IOException {
    long now = clock.millis();
    for (VideoStream stream : streams.values()) {
      int hours = stream.info().dataRetentionInHours();
      if (hours > 0 && !stream.isDeleted()) {
        stream.expireBefore(now - TimeUnit.HOURS.toMillis(hours));
      }
    }
  }

  private void enforceRetentionQuietly() {
    try {
      enforceRetention();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Video retention failed; it is retried in a minute", e);
    }
  }

  // ---- internals for ingest ----

  VideoStream stream(String streamName) {
    ensureOpen();
    checkNotNull(streamName, "streamName");
    VideoStream stream = streams.get(streamName);
    if (stream == null) {
      throw VideoException.notFound("The video stream " + FragmentNumbers.abbreviate(streamName)
          + " does not exist");
    }
    return stream;
  }

  Clock clock() {
    return clock;
  }

  private static void checkName(String streamName) {
    // "." and ".." match the service's pattern but would name folders above the stream's own.
    if (streamName == null || !NAME.matcher(streamName).matches() || streamName.equals(".") || streamName.equals("..")) {
      throw VideoException.invalid("StreamName must be 1 to 256 characters of a-z, A-Z, 0-9, '_', '.' "
          + "and '-' (and neither '.' nor '..'), but was: " + FragmentNumbers.abbreviate(streamName));
    }
  }

  private static void checkVersion(VideoStream stream, @Nullable String currentVersion) {
    if (currentVersion != null && !currentVersion.equals(stream.info().version())) {
      throw new VideoException("VersionMismatchException", 400, "The stream version "
          + FragmentNumbers.abbreviate(currentVersion) + " is not the current version of "
          + stream.info().streamName());
    }
  }

  private static String newVersion() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 20);
  }

  private static void writeInfo(Path streamDir, VideoStreamInfo info) throws IOException {
    ObjectNode json = JSON.createObjectNode();
    json.put("streamName", info.streamName());
    json.put("streamArn", info.streamArn());
    json.put("deviceName", info.deviceName());
    json.put("mediaType", info.mediaType());
    json.put("kmsKeyId", info.kmsKeyId());
    json.put("version", info.version());
    json.put("creationTimeMillis", info.creationTimeMillis());
    json.put("dataRetentionInHours", info.dataRetentionInHours());
    Path temp = streamDir.resolve("stream.json.tmp");
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      channel.write(java.nio.ByteBuffer.wrap(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json)));
      channel.force(true);
    }
    Files.move(temp, streamDir.resolve("stream.json"), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  private static VideoStreamInfo readInfo(Path file) throws IOException {
    ObjectNode json = (ObjectNode) JSON.readTree(file.toFile());
    return VideoStreamInfo.of(json.path("streamName").asText(), json.path("streamArn").asText(),
        json.path("deviceName").textValue(), json.path("mediaType").textValue(),
        json.path("kmsKeyId").textValue(), json.path("version").asText(),
        json.path("creationTimeMillis").asLong(), json.path("dataRetentionInHours").asInt());
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path each : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(each);
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("The video store in " + dir + " is closed");
    }
  }

  /** Closes every stream's log (forcing what was written) and releases the folder. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    maintenance.shutdownNow();
    IOException failure = null;
    for (VideoStream stream : streams.values()) {
      stream.markDeleted(); // wakes readers waiting for fragments
      try {
        stream.log.close();
      } catch (IOException e) {
        failure = e;
      }
    }
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      failure = e;
    }
    if (failure != null) {
      throw new UncheckedIOException("closing the video store in " + dir + " failed", failure);
    }
  }
}
