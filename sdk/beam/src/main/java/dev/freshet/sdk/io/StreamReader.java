package dev.freshet.sdk.io;

import static com.google.common.base.Preconditions.checkState;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.freshet.sdk.stream.ChildShard;
import dev.freshet.sdk.stream.Consumer;
import dev.freshet.sdk.stream.ConsumerStatus;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.ListShardsResult;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.RecordPage;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.ShardFilter;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import dev.freshet.sdk.stream.StreamMetrics;
import dev.freshet.sdk.stream.errors.ResourceInUseException;
import dev.freshet.sdk.stream.errors.StreamException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.jspecify.annotations.Nullable;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the shards of one split. Each shard has a fetcher (polling or push) and a buffer; {@link
 * #advance()} hands records out round-robin across shards and fetches when buffers run dry.
 *
 * <p>Resharding: when a closed shard has been read to its end <em>and</em> its last buffered record
 * handed out, it leaves the split and its children enter it — a child is taken by the split that
 * reads the lowest-numbered of its parents, and starts only once none of its parents is still being
 * read here. So within a split a key's records come out parents first, and a checkpoint never holds
 * a started child together with its parent.
 */
final class StreamReader extends UnboundedSource.UnboundedReader<StreamRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(StreamReader.class);
  private static final long METRICS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final StreamSource source;
  private final StreamIO.Read spec;
  private final StreamCheckpointMark startMark;
  private StreamClients.Lease lease;
  /** Whether {@link #close} ran (it also runs once a stop-time read is done). */
  private boolean closed;
  private StreamClient client;
  private @Nullable String consumerArn;

  /** Shards being read, in a stable order for round-robin. */
  private final Map<String, ShardState> active = new LinkedHashMap<>();
  /** Children taken by this split that wait for parents still being read here. */
  private final Map<String, Set<String>> pending = new LinkedHashMap<>();
  /** Children already taken (so a merge child is taken once). */
  private final Set<String> taken = new HashSet<>();

  private List<ShardState> rotation = List.of();
  private int next;
  private @Nullable StreamRecord current;
  private @Nullable Instant currentTimestamp;

  /** Makes each shard's next GetRecords call while the records of its last are handed out. */
  private @Nullable ExecutorService prefetcher;

  private long backlogBytesPerMilli = -1;
  private long lastMetricsNanos;
  private long lastIncomingBytes = -1;

  /** One shard's reading state. */
  private final class ShardState {
    final String shardId;
    final ShardFetcher fetcher;
    final Buffer buffer = new Buffer(this);
    /** The sequence number restored from a checkpoint, until a record is handed out. */
    @Nullable String lastSequence;
    /** The last record handed out: its sequence number is written out only if a checkpoint asks. */
    @Nullable StreamRecord lastHanded;
    long lastSubSequence;
    final StartingPosition start;
    long watermarkMillis;
    long lastProgressNanos;
    long millisBehindLatest = -1;
    /** Wall-clock time just before the last fetch that found the shard caught up; -1 if none yet. */
    long caughtUpAtMillis = -1;
    boolean ended;
    /** With a stop time: the shard has no more records that arrived before it. */
    boolean doneAtStop;
    List<ChildShard> children = List.of();

    ShardState(ShardCheckpoint checkpoint) {
      this.shardId = checkpoint.shardId();
      this.lastSequence = checkpoint.sequenceNumber();
      this.lastSubSequence = checkpoint.subSequenceNumber();
      this.start = checkpoint.startingPosition();
      this.watermarkMillis = checkpoint.watermarkMillis();
      this.lastProgressNanos = System.nanoTime();
      // Within an aggregate, resume at the record itself and skip the user records already handed out.
      StartingPosition from = lastSequence == null ? start
          : lastSubSequence > 0 ? StartingPosition.atSequenceNumber(lastSequence)
          : StartingPosition.afterSequenceNumber(lastSequence);
      Backoff backoff = new Backoff(spec.throttlingBackoffInitial().getMillis(), spec.throttlingBackoffMax().getMillis());
      this.fetcher = consumerArn != null
          ? new SubscriptionShardFetcher(client, consumerArn, spec.streamName(), shardId, from, backoff)
          : new PollingShardFetcher(client, spec.streamName(), shardId, spec.recordsPerRequest(),
              pollNanos(), backoff, from, prefetcher());
    }

    ShardCheckpoint checkpoint() {
      String sequence = lastSequence();
      return sequence == null
          ? ShardCheckpoint.notStarted(shardId, start, watermarkMillis)
          : ShardCheckpoint.after(shardId, sequence, lastSubSequence, watermarkMillis);
    }

    @Nullable String lastSequence() {
      return lastHanded != null ? lastHanded.sequenceNumber() : lastSequence;
    }

    /**
     * Whether a user record of an aggregate was handed out before the restore: a split restored
     * inside an aggregate re-reads that record and skips the user records up to its checkpoint.
     */
    boolean alreadyHandedOut(String sequence, long subSequence) {
      String last = lastSequence();
      return last != null && sequence.equals(last) && subSequence <= lastSubSequence;
    }
  }

  StreamReader(StreamSource source, StreamCheckpointMark mark) {
    this.source = source;
    this.spec = source.spec();
    this.startMark = mark;
  }

  private ExecutorService prefetcher() {
    if (prefetcher == null) {
      prefetcher = Executors.newCachedThreadPool(new ThreadFactoryBuilder()
          .setNameFormat("freshet-read-" + spec.streamName() + "-%d").setDaemon(true).build());
    }
    return prefetcher;
  }

  private long pollNanos() {
    return TimeUnit.MILLISECONDS.toNanos(spec.effectivePollInterval().getMillis());
  }

  @Override
  public boolean start() throws IOException {
    lease = StreamClients.acquire(spec.endpoint());
    client = lease.client();
    try {
      if (spec.consumerName() != null) {
        consumerArn = registeredConsumer(spec.consumerName());
      }
      Map<String, Shard> shardInfo = null;
      for (ShardCheckpoint checkpoint : startMark.shards()) {
        if (!checkpoint.started() && checkpoint.startingPosition().type() == dev.freshet.sdk.stream.ShardIteratorType.TRIM_HORIZON) {
          // A child restored before it started may still wait for a parent in this split.
          if (shardInfo == null) {
            shardInfo = allShards();
          }
          Shard shard = shardInfo.get(checkpoint.shardId());
          Set<String> waitingFor = new HashSet<>();
          if (shard != null) {
            for (String parent : parentsOf(shard)) {
              if (startMark.shardIds().contains(parent)) {
                waitingFor.add(parent);
              }
            }
          }
          if (!waitingFor.isEmpty()) {
            pending.put(checkpoint.shardId(), waitingFor);
            taken.add(checkpoint.shardId());
            continue;
          }
        }
        active.put(checkpoint.shardId(), new ShardState(checkpoint));
        taken.add(checkpoint.shardId());
      }
    } catch (StreamException e) {
      throw new IOException("opening stream " + spec.streamName() + " at " + spec.endpoint()
          + " failed: " + e.errorCode() + ": " + e.getMessage(), e);
    }
    rotation = new ArrayList<>(active.values());
    LOG.info("Reading {} from {}: shards {}", spec.streamName(), spec.endpoint(), active.keySet());
    return advance();
  }

  private static List<String> parentsOf(Shard shard) {
    List<String> parents = new ArrayList<>();
    if (shard.parentShardId() != null) {
      parents.add(shard.parentShardId());
    }
    if (shard.adjacentParentShardId() != null) {
      parents.add(shard.adjacentParentShardId());
    }
    return parents;
  }

  private Map<String, Shard> allShards() {
    Map<String, Shard> shards = new HashMap<>();
    ListShardsResult page = client.listShards(ListShardsRequest.builder()
        .setStream(spec.streamName()).setShardFilter(ShardFilter.fromTrimHorizon()).build());
    while (true) {
      page.shards().forEach(shard -> shards.put(shard.shardId(), shard));
      if (page.nextToken() == null) {
        return shards;
      }
      page = client.listShards(ListShardsRequest.next(page.nextToken()));
    }
  }

  /** The consumer's ARN, registering it on first use and waiting until it is ACTIVE. */
  private String registeredConsumer(String name) throws IOException {
    String streamArn = client.describeStreamSummary(spec.streamName()).streamArn();
    for (int attempt = 0; attempt < 600; attempt++) {
      Consumer found = null;
      for (Consumer consumer : client.listStreamConsumers(streamArn)) {
        if (consumer.consumerName().equals(name)) {
          found = consumer;
        }
      }
      if (found == null) {
        try {
          found = client.registerStreamConsumer(streamArn, name);
        } catch (ResourceInUseException registeredMeanwhile) {
          continue;
        }
      }
      if (found.consumerStatus() == ConsumerStatus.ACTIVE) {
        return found.consumerArn();
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for consumer " + name + " to become ACTIVE", e);
      }
    }
    throw new IOException("consumer " + name + " of stream " + spec.streamName() + " did not become ACTIVE in 60 s");
  }

  /** With a stop time: every shard is done and every buffered record handed out. */
  private boolean stopped() {
    if (spec.stopReadingAt() == null || !pending.isEmpty()) {
      return false;
    }
    for (ShardState shard : active.values()) {
      if (!shard.doneAtStop || !shard.buffer.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean advance() throws IOException {
    // A buffered record first: stopped() holds only once every buffer is empty, and checking it
    // for every record would walk the shards once per record.
    if (takeBuffered()) {
      return true;
    }
    if (stopped()) {
      // Done for good: let the endpoint go now rather than at close(). The Direct runner may never
      // close a reader whose watermark reached the end of time in the same evaluation as its last
      // records (it drops that residual once every watermark is done), which would leave the
      // endpoint's shared client, and an embedded store's data folder, open in this JVM.
      close();
      return false;
    }
    long now = System.nanoTime();
    for (ShardState shard : new ArrayList<>(rotation)) {
      if (shard.buffer.isEmpty() && !shard.ended && !shard.doneAtStop) {
        fill(shard, now);
      }
      if (shard.ended && shard.buffer.isEmpty()) {
        finish(shard);
      }
    }
    return takeBuffered();
  }

  private boolean takeBuffered() {
    int size = rotation.size();
    for (int i = 0; i < size; i++) {
      ShardState shard = rotation.get((next + i) % size);
      StreamRecord record = shard.buffer.poll();
      if (record != null) {
        next = (next + i + 1) % size;
        hand(shard, record);
        if (shard.ended && shard.buffer.isEmpty()) {
          finish(shard);
        }
        return true;
      }
    }
    return false;
  }

  private void hand(ShardState shard, StreamRecord record) {
    current = record;
    currentTimestamp = spec.watermarkPolicy().timestampOf(record);
    shard.lastHanded = record;
    shard.lastSubSequence = record.subSequenceNumber();
    if (shard.buffer.isEmpty()) {
      // Progress matters to the watermark only once the buffer is empty (see getWatermark), so
      // the clock is read once per batch rather than once per record.
      shard.lastProgressNanos = System.nanoTime();
    }
    if (spec.watermarkPolicy().kind() != WatermarkPolicy.Kind.PROCESSING_TIME) {
      long delayMillis = spec.watermarkPolicy().watermarkDelay().getMillis();
      shard.watermarkMillis = Math.max(shard.watermarkMillis, currentTimestamp.getMillis() - delayMillis);
    }
  }

  private void fill(ShardState shard, long now) throws IOException {
    ShardFetcher.Batch batch = shard.fetcher.fetch(now);
    if (batch.millisBehindLatest() >= 0) {
      shard.millisBehindLatest = batch.millisBehindLatest();
      if (batch.millisBehindLatest() == 0) {
        shard.caughtUpAtMillis = Math.max(shard.caughtUpAtMillis, batch.observedAtMillis());
      }
    }
    org.joda.time.Instant stopAt = spec.stopReadingAt();
    List<Record> records = batch.records();
    if (stopAt != null) {
      long stopMillis = stopAt.getMillis();
      RecordPage page = records instanceof RecordPage p ? p : null;
      for (int i = 0; i < records.size(); i++) {
        long arrival = page != null ? page.arrivalMillis(i) : records.get(i).approximateArrivalTimestamp().toEpochMilli();
        if (arrival > stopMillis) {
          // Records are in arrival order: nothing from this one on is wanted.
          shard.buffer.add(records, i);
          shard.doneAtStop = true;
          return;
        }
      }
    }
    shard.buffer.add(records, records.size());
    if (stopAt != null && batch.records().isEmpty() && batch.millisBehindLatest() == 0
        && batch.observedAtMillis() > stopAt.getMillis()) {
      // Caught up as of a moment after the stop time: any record not yet read arrived after it.
      // The moment is the request's, not now: a record may have arrived during the call.
      shard.doneAtStop = true;
    }
    if (batch.shardEnded()) {
      shard.ended = true;
      shard.children = batch.children();
    }
  }

  /**
   * A shard's records fetched and not yet handed out: the fetched batch itself, turned into {@link
   * StreamRecord}s one at a time as they are handed out (no second buffer of converted records to
   * fill and drain; from a {@link RecordPage}, straight from the answer without a {@link Record} in
   * between), and the user records of a KPL aggregate being unpacked.
   */
  private final class Buffer {
    private final ShardState shard;
    private List<Record> batch = List.of();
    private @Nullable RecordPage page;
    private int next;
    private int end;
    private final ArrayDeque<StreamRecord> unpacked = new ArrayDeque<>();

    Buffer(ShardState shard) {
      this.shard = shard;
    }

    /** Takes the first {@code end} records of a fetched batch; the buffer is empty when a batch is fetched. */
    void add(List<Record> records, int end) {
      checkState(isEmpty(), "a batch was fetched for %s before the last one was handed out", shard.shardId);
      batch = records;
      page = records instanceof RecordPage p ? p : null;
      next = 0;
      this.end = end;
    }

    boolean isEmpty() {
      return unpacked.isEmpty() && next >= end;
    }

    /** The next record to hand out, or null if none is left. */
    @Nullable StreamRecord poll() {
      while (true) {
        StreamRecord ready = unpacked.poll();
        if (ready != null) {
          return ready;
        }
        if (next >= end) {
          batch = List.of();
          page = null;
          next = 0;
          end = 0;
          return null;
        }
        int index = next++;
        long arrivalMillis;
        byte[] data;
        String partitionKey;
        Record record = null;
        if (page != null) {
          arrivalMillis = page.arrivalMillis(index);
          data = page.data(index);
          partitionKey = page.partitionKey(index);
        } else {
          record = batch.get(index);
          arrivalMillis = record.approximateArrivalTimestamp().toEpochMilli();
          data = record.data();
          partitionKey = record.partitionKey();
        }
        Instant arrival = new Instant(arrivalMillis);
        boolean aggregate = spec.deaggregate() && dev.freshet.sdk.aggregation.AggregatedRecords.isAggregated(data);
        if (!aggregate) {
          return page != null
              ? StreamRecord.withSequenceParts(spec.streamName(), shard.shardId, page.sequencePrefix(),
                  page.sequenceValue(index), page.sequenceDigits(), 0, partitionKey, arrival, data)
              : StreamRecord.of(spec.streamName(), shard.shardId, record.sequenceNumber(), 0, partitionKey, arrival, data);
        }
        String sequenceNumber = page != null ? page.sequenceNumber(index) : record.sequenceNumber();
        List<dev.freshet.sdk.aggregation.UserRecord> users = dev.freshet.sdk.aggregation.AggregatedRecords.decode(data);
        for (int i = 0; i < users.size(); i++) {
          if (shard.alreadyHandedOut(sequenceNumber, i + 1)) {
            continue;
          }
          dev.freshet.sdk.aggregation.UserRecord user = users.get(i);
          unpacked.add(StreamRecord.of(spec.streamName(), shard.shardId, sequenceNumber, i + 1,
              user.partitionKey(), arrival, user.data()));
        }
      }
    }

    /** Bytes of data held, for the backlog estimate (an aggregate counts as packed). */
    long bytes() {
      long bytes = 0;
      for (StreamRecord record : unpacked) {
        bytes += record.data().length;
      }
      for (int i = next; i < end; i++) {
        bytes += page != null ? page.dataLength(i) : batch.get(i).data().length;
      }
      return bytes;
    }
  }

  /** A closed shard read to its end and fully handed out: it leaves, its children may enter. */
  private void finish(ShardState shard) {
    if (active.remove(shard.shardId) == null) {
      return;
    }
    shard.fetcher.close();
    for (ChildShard child : shard.children) {
      String lowestParent = child.parentShards().stream().min(String::compareTo).orElse(shard.shardId);
      if (taken.contains(child.shardId())) {
        continue;
      }
      if (!lowestParent.equals(shard.shardId) && !taken.contains(lowestParent)) {
        continue; // another split reads the lowest parent and takes this child
      }
      if (!lowestParent.equals(shard.shardId) && active.containsKey(lowestParent)) {
        continue; // taken when the lowest parent, still being read here, finishes
      }
      taken.add(child.shardId());
      Set<String> waitingFor = new HashSet<>();
      for (String parent : child.parentShards()) {
        if (active.containsKey(parent)) {
          waitingFor.add(parent);
        }
      }
      pending.put(child.shardId(), waitingFor);
    }
    for (Set<String> waitingFor : pending.values()) {
      waitingFor.remove(shard.shardId);
    }
    List<String> ready = new ArrayList<>();
    pending.forEach((child, waitingFor) -> {
      if (waitingFor.isEmpty()) {
        ready.add(child);
      }
    });
    for (String child : ready) {
      pending.remove(child);
      active.put(child, new ShardState(ShardCheckpoint.notStarted(child, StartingPosition.trimHorizon(),
          shard.watermarkMillis)));
    }
    LOG.info("Finished closed shard {} of {}; now reading {}", shard.shardId, spec.streamName(), active.keySet());
    rotation = new ArrayList<>(active.values());
    next = 0;
  }

  @Override
  public StreamRecord getCurrent() {
    if (current == null) {
      throw new NoSuchElementException("no current record; call start() or advance() first");
    }
    return current;
  }

  @Override
  public Instant getCurrentTimestamp() {
    if (currentTimestamp == null) {
      throw new NoSuchElementException("no current record; call start() or advance() first");
    }
    return currentTimestamp;
  }

  @Override
  public Instant getWatermark() {
    long now = System.currentTimeMillis();
    // A finished read (every shard closed and read, or past its stop time) is done whatever the
    // policy: with processing time too, or a stop-time read would never end.
    if ((active.isEmpty() && pending.isEmpty()) || stopped()) {
      return BoundedWindow.TIMESTAMP_MAX_VALUE;
    }
    if (spec.watermarkPolicy().kind() == WatermarkPolicy.Kind.PROCESSING_TIME) {
      return new Instant(now);
    }
    long idleMillis = spec.watermarkPolicy().idleThreshold().getMillis();
    long delayMillis = spec.watermarkPolicy().watermarkDelay().getMillis();
    long nowNanos = System.nanoTime();
    long watermark = Long.MAX_VALUE;
    for (ShardState shard : active.values()) {
      long shardWatermark = shard.watermarkMillis;
      // A shard found caught up at time F, with nothing buffered, holds no unread record that
      // arrived before F; an idle threshold's worth of slack covers event times a little older
      // than their arrival. Bounding by F rather than by the clock keeps this safe however long the
      // runner takes between fetches.
      if (shard.buffer.isEmpty() && shard.caughtUpAtMillis >= 0
          && nowNanos - shard.lastProgressNanos >= TimeUnit.MILLISECONDS.toNanos(idleMillis)) {
        shardWatermark = Math.max(shardWatermark, shard.caughtUpAtMillis - idleMillis - delayMillis);
        shard.watermarkMillis = shardWatermark;
      }
      watermark = Math.min(watermark, shardWatermark);
    }
    if (watermark == Long.MAX_VALUE || watermark == Long.MIN_VALUE) {
      return BoundedWindow.TIMESTAMP_MIN_VALUE;
    }
    return new Instant(Math.max(watermark, BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis()));
  }

  @Override
  public StreamCheckpointMark getCheckpointMark() {
    List<ShardCheckpoint> shards = new ArrayList<>();
    for (ShardState shard : active.values()) {
      shards.add(shard.checkpoint());
    }
    for (String child : pending.keySet()) {
      shards.add(ShardCheckpoint.notStarted(child, StartingPosition.trimHorizon(), Long.MIN_VALUE));
    }
    return new StreamCheckpointMark(shards);
  }

  @Override
  public StreamSource getCurrentSource() {
    return source;
  }

  /**
   * The bytes not yet read: each shard's lag (millis behind its newest record) times the stream's
   * recent write rate per shard, from the client's metrics. Unknown when the endpoint has no
   * metrics (a Kinesis endpoint other than Freshet's).
   */
  @Override
  public long getSplitBacklogBytes() {
    if (closed) {
      return 0; // a finished stop-time read (or a closed reader) has nothing left to read
    }
    long now = System.nanoTime();
    if (now - lastMetricsNanos >= METRICS_INTERVAL_NANOS) {
      try {
        StreamMetrics metrics = client.metrics(spec.streamName());
        long incoming = metrics.incomingBytes();
        if (lastIncomingBytes >= 0 && lastMetricsNanos > 0) {
          long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(now - lastMetricsNanos));
          int shards = Math.max(1, metrics.shards().size());
          backlogBytesPerMilli = Math.max(0, (incoming - lastIncomingBytes) / millis / shards);
        }
        lastIncomingBytes = incoming;
      } catch (StreamException e) {
        backlogBytesPerMilli = -1;
      }
      lastMetricsNanos = now;
    }
    if (backlogBytesPerMilli < 0) {
      return BACKLOG_UNKNOWN;
    }
    long backlog = 0;
    for (ShardState shard : active.values()) {
      backlog += Math.max(0, shard.millisBehindLatest) * backlogBytesPerMilli;
      backlog += shard.buffer.bytes();
    }
    return backlog;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ShardState shard : active.values()) {
      shard.fetcher.close();
    }
    if (prefetcher != null) {
      // A call read ahead may still be running: let it end before the client goes (a GetRecords
      // call answers in well under a second unless the endpoint is gone).
      prefetcher.shutdownNow();
      try {
        prefetcher.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      prefetcher = null;
    }
    if (lease != null) {
      lease.close();
      lease = null;
    }
  }
}
