package dev.freshet.kinesis.firehose;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.ListShardsResult;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.errors.ExpiredIteratorException;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import dev.freshet.transforms.firehose.DeliveryEngine;
import dev.freshet.transforms.firehose.FirehoseDelivery;
import dev.freshet.transforms.firehose.FirehoseRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery of one delivery stream, on its own thread: reads the source stream (the internal
 * stream of a DirectPut delivery stream, or the Kinesis stream it names) from the checkpoint on,
 * keeps what it read as the buffer, and hands the buffer to a {@link DeliveryEngine} when it reaches
 * the size hint or its oldest record has waited the interval hint. After each delivery it writes
 * the last delivered sequence number of each shard to its checkpoint file (atomically). A restart
 * reads again from the checkpoint: nothing acknowledged is lost, and a record may be delivered twice
 * if the server stopped between a put and the checkpoint (at-least-once).
 */
final class DeliveryWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorker.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long IDLE_WAIT_MILLIS = 200;
  private static final long MAX_FAILURE_BACKOFF_MILLIS = 30_000;

  private final String name;
  private final StreamClient streams;
  private final String sourceStream;
  private final FirehoseDelivery.Write spec;
  private final Path checkpointFile;
  private final @Nullable Instant startAt;
  private final Runnable onActive;
  private final Thread thread;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private volatile boolean closed;
  private boolean woken;

  /** The position of each shard: the last sequence number delivered (checkpoint) and read. */
  private final Map<String, String> delivered = new HashMap<>();
  private final Map<String, String> read = new HashMap<>();
  private final Map<String, String> iterators = new LinkedHashMap<>();
  private final List<FirehoseRecord> buffer = new ArrayList<>();
  private final Map<String, String> bufferEnds = new HashMap<>();
  private long bufferBytes;
  private final DeliveryStats stats;

  /**
   * A worker for {@code spec} reading {@code sourceStream}; from the checkpoint in {@code
   * checkpointFile}, else from {@code startAt} (null: the oldest record). {@code onActive} runs once
   * the source stream can be read.
   */
  DeliveryWorker(String name, StreamClient streams, String sourceStream, FirehoseDelivery.Write spec,
      Path checkpointFile, @Nullable Instant startAt, Runnable onActive, DeliveryStats stats) {
    this.stats = stats;
    this.name = name;
    this.streams = streams;
    this.sourceStream = sourceStream;
    this.spec = spec;
    this.checkpointFile = checkpointFile;
    this.startAt = startAt;
    this.onActive = onActive;
    this.thread = new Thread(this::run, "firehose-" + name);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Reads new records now rather than at the next poll (a put just arrived). */
  void wake() {
    lock.lock();
    try {
      woken = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    try {
      loadCheckpoint();
      awaitActive();
      onActive.run();
      try (DeliveryEngine engine = DeliveryEngine.open(spec)) {
        long failures = 0;
        while (!closed) {
          boolean readAny = readOnce(engine);
          if (due(engine)) {
            try {
              DeliveryEngine.Outcome outcome = engine.deliver(List.copyOf(buffer));
              long dataBytes = 0;
              for (FirehoseRecord record : buffer) {
                dataBytes += record.data().length;
              }
              stats.delivered(buffer.size(), dataBytes, outcome, System.currentTimeMillis());
              delivered.putAll(bufferEnds);
              writeCheckpoint();
              buffer.clear();
              bufferEnds.clear();
              bufferBytes = 0;
              failures = 0;
            } catch (IOException | RuntimeException e) {
              failures++;
              stats.failed(e.toString(), System.currentTimeMillis());
              long backoff = Math.min(MAX_FAILURE_BACKOFF_MILLIS, 500L << Math.min(failures, 10));
              LOG.warn("Delivery stream {}: delivery of {} records failed ({}); trying again in {} ms", name,
                  buffer.size(), e.toString(), backoff);
              pause(backoff);
            }
          } else if (!readAny) {
            pause(buffer.isEmpty() ? IDLE_WAIT_MILLIS : Math.min(IDLE_WAIT_MILLIS, untilDue(engine)));
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      if (!closed) {
        LOG.error("Delivery stream {}: delivery stopped: {}", name, e.toString(), e);
      }
    }
  }

  /** Whether the buffer is due: size hint, record limit, or its oldest record waited the interval. */
  private boolean due(DeliveryEngine engine) {
    if (buffer.isEmpty()) {
      return false;
    }
    return bufferBytes >= engine.bufferSizeBytes() || buffer.size() >= engine.maxBufferRecords()
        || untilDue(engine) <= 0;
  }

  private long untilDue(DeliveryEngine engine) {
    long oldest = Long.MAX_VALUE;
    for (FirehoseRecord record : buffer) {
      oldest = Math.min(oldest, record.approximateArrivalTimestamp().getMillis());
    }
    return oldest + engine.bufferInterval().toMillis() - System.currentTimeMillis();
  }

  private void awaitActive() throws InterruptedException {
    while (!closed) {
      try {
        String status = streams.describeStreamSummary(sourceStream).streamStatus().toString();
        if (status.equals("ACTIVE") || status.equals("UPDATING")) {
          return;
        }
      } catch (ResourceInUseException e) {
        // Still being created.
      }
      pause(50);
    }
  }

  /** One GetRecords per shard; true if any record came. */
  private boolean readOnce(DeliveryEngine engine) {
    if (iterators.isEmpty()) {
      openIterators();
    }
    boolean any = false;
    for (Map.Entry<String, String> shard : List.copyOf(iterators.entrySet())) {
      if (closed) {
        return any;
      }
      GetRecordsResult result;
      try {
        result = streams.getRecords(shard.getValue(), 1000);
      } catch (ExpiredIteratorException e) {
        iterators.put(shard.getKey(), iterator(shard.getKey()));
        continue;
      }
      for (Record record : result.records()) {
        FirehoseRecord firehose = FirehoseRecord.of(record.data(),
            new org.joda.time.Instant(record.approximateArrivalTimestamp().toEpochMilli()), record.partitionKey(),
            record.sequenceNumber());
        buffer.add(firehose);
        bufferBytes += engine.bufferedSize(firehose);
        read.put(shard.getKey(), record.sequenceNumber());
        bufferEnds.put(shard.getKey(), record.sequenceNumber());
        any = true;
      }
      if (result.nextShardIterator() == null) {
        // A closed shard read to its end: its children come with the next listing.
        iterators.remove(shard.getKey());
      } else {
        iterators.put(shard.getKey(), result.nextShardIterator());
      }
    }
    return any;
  }

  private void openIterators() {
    String token = null;
    do {
      ListShardsResult shards = streams.listShards(token == null ? ListShardsRequest.of(sourceStream)
          : ListShardsRequest.next(token));
      for (Shard shard : shards.shards()) {
        if (!shard.isOpen() && read.containsKey(shard.shardId())
            && read.get(shard.shardId()).equals(shard.sequenceNumberRange().endingSequenceNumber())) {
          continue;
        }
        iterators.put(shard.shardId(), iterator(shard.shardId()));
      }
      token = shards.nextToken();
    } while (token != null);
  }

  private String iterator(String shardId) {
    String after = read.getOrDefault(shardId, delivered.get(shardId));
    StartingPosition position = after != null ? StartingPosition.afterSequenceNumber(after)
        : startAt != null ? StartingPosition.atTimestamp(startAt) : StartingPosition.trimHorizon();
    return streams.getShardIterator(sourceStream, shardId, position);
  }

  private void loadCheckpoint() throws IOException {
    if (!Files.exists(checkpointFile)) {
      return;
    }
    ObjectNode node = (ObjectNode) JSON.readTree(checkpointFile.toFile());
    node.fields().forEachRemaining(e -> delivered.put(e.getKey(), e.getValue().asText()));
    LOG.info("Delivery stream {}: resuming after checkpoint {}", name, delivered);
  }

  private void writeCheckpoint() throws IOException {
    ObjectNode node = JSON.createObjectNode();
    delivered.forEach(node::put);
    Path temp = checkpointFile.resolveSibling(checkpointFile.getFileName() + ".tmp");
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING); OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
      out.write(JSON.writeValueAsBytes(node));
      out.flush();
      channel.force(true);
    }
    Files.move(temp, checkpointFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private void pause(long millis) throws InterruptedException {
    lock.lock();
    try {
      if (!woken && !closed) {
        wake.await(Math.max(1, millis), TimeUnit.MILLISECONDS);
      }
      woken = false;
    } finally {
      lock.unlock();
    }
  }

  /** Stops the thread; what it buffered but did not deliver is read again by the next worker. */
  @Override
  public void close() throws InterruptedException {
    closed = true;
    wake();
    thread.join(TimeUnit.SECONDS.toMillis(30));
    if (thread.isAlive()) {
      thread.interrupt();
      thread.join();
    }
  }
}
