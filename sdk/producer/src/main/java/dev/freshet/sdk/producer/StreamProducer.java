package dev.freshet.sdk.producer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.sdk.aggregation.AggregatedRecords;
import dev.freshet.sdk.aggregation.Aggregator;
import dev.freshet.sdk.aggregation.UserRecord;
import dev.freshet.sdk.stream.PutRecordResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.PutRecordsResult;
import dev.freshet.sdk.stream.PutRecordsResultEntry;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.errors.StreamException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records to streams asynchronously: batched by count, size and linger time, retried
 * entry by entry, optionally aggregated in the KPL format, with back-pressure when too much is in
 * flight. Works with any {@link StreamClient}, embedded or remote.
 *
 * <pre>{@code
 * try (StreamProducer producer = StreamProducer.builder(client)     // required: the client
 *     .lingerTime(Duration.ofMillis(20))                             // optional settings
 *     .aggregation(true)
 *     .build()) {
 *   CompletableFuture<PutRecordResult> written = producer.send("clicks", PutRecordsEntry.of(user, json));
 *   ...
 *   producer.flush();                                                // everything sent so far is settled
 * }
 * }</pre>
 *
 * <h2>Batching</h2>
 * A background sender thread writes each stream's records with PutRecords once a batch is full
 * ({@link ProducerConfig#maxBatchRecords()}, {@link ProducerConfig#maxBatchBytes()}), once its
 * oldest record has waited {@link ProducerConfig#lingerTime()}, or at once during {@link #flush()}
 * and {@link #close()}.
 *
 * <h2>Retries</h2>
 * Only the entries that failed with ProvisionedThroughputExceeded or InternalFailure are sent again,
 * after an exponential back-off, up to {@link ProducerConfig#maxAttempts()} and within {@link
 * ProducerConfig#recordTtl()}; any other error fails the record's future with a {@link
 * RecordFailedException} (or the call's {@link StreamException}) at once. A retried record goes
 * ahead of newer records of its stream, but a record of the same key sent meanwhile in another batch
 * may land before it: use one key per ordered sequence and {@code flush()} between steps when
 * order across retries matters.
 *
 * <h2>Aggregation</h2>
 * With {@link ProducerConfig#aggregation()}, records predicted to land on the same shard (from the
 * stream's open shards, listed when first needed) are packed into aggregates of up to 1 MiB; each
 * aggregate carries the first record's explicit hash key so it lands on that shard, and every
 * record's future completes with the aggregate's sequence number. When an aggregate lands on
 * another shard than predicted (the stream was resharded), the shard map is listed again.
 *
 * <h2>Idempotent records</h2>
 * A record with a producer ({@link PutRecordsEntry#withProducer}) is sent as it is, so a Freshet
 * store writes it once however often a retry repeats it (see {@link StreamClient#putRecords});
 * such records cannot be aggregated. A retried record can still be overtaken by newer records of
 * its producer, which the store allows for up to 2,048 records late.
 *
 * <h2>Back-pressure and delivery</h2>
 * {@link #send} blocks while {@link ProducerConfig#maxInFlightRecords()} records or {@link
 * ProducerConfig#maxInFlightBytes()} bytes are accepted but not settled; {@link #trySend} returns
 * empty instead. Delivery is at least once: a record whose acknowledgement was lost is sent again.
 * Futures complete on the sender thread: do not block in their callbacks. Whatever the client throws
 * (an {@link Error} too) fails the records of that call, and the sender goes on with the next
 * batch, so {@link #flush()} and {@link #close()} always return; should the sender thread itself
 * fail, every record not yet settled fails and the producer refuses new ones.
 */
public final class StreamProducer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamProducer.class);
  private static final int MAX_PARTITION_KEY_CHARS = 256;

  private final StreamClient client;
  private final ProducerConfig config;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition room = lock.newCondition();
  private final Map<String, StreamQueue> queues = new LinkedHashMap<>();
  private final PriorityQueue<Pending> retries =
      new PriorityQueue<>(Comparator.comparingLong((Pending p) -> p.nextAttemptNanos).thenComparingLong(p -> p.id));
  private final Set<CompletableFuture<PutRecordResult>> outstanding = ConcurrentHashMap.newKeySet();
  private final Map<String, ShardMap> shardMaps = new HashMap<>();
  private final Thread sender;
  private long nextId;
  private long inFlightRecords;
  private long inFlightBytes;
  private int flushers;
  private boolean closing;
  private boolean stopped;
  /** Why the sender thread stopped before {@link #close()} asked it to; null while it runs. */
  private Throwable senderFailure;
  /** The batch the sender is writing, outside the lock; read by the sender thread only. */
  private List<Pending> sending = List.of();

  private final AtomicLong recordsSent = new AtomicLong();
  private final AtomicLong recordsFailed = new AtomicLong();
  private final AtomicLong retryCount = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong aggregates = new AtomicLong();

  /** A producer writing through {@code client}, which the caller keeps open until {@link #close()}. */
  public static Builder builder(StreamClient client) {
    return new Builder(client);
  }

  /** Builder for {@link StreamProducer}; each setting is described on {@link ProducerConfig}. */
  public static final class Builder {
    private final StreamClient client;
    private ProducerConfig.Builder config = ProducerConfig.builder();

    private Builder(StreamClient client) {
      this.client = checkNotNull(client, "client");
    }

    /** Replaces every setting with {@code config}'s. */
    public Builder config(ProducerConfig config) {
      this.config = config.toBuilder();
      return this;
    }

    public Builder lingerTime(Duration value) {
      config.setLingerTime(value);
      return this;
    }

    public Builder maxBatchRecords(int value) {
      config.setMaxBatchRecords(value);
      return this;
    }

    public Builder maxBatchBytes(long value) {
      config.setMaxBatchBytes(value);
      return this;
    }

    public Builder aggregation(boolean value) {
      config.setAggregation(value);
      return this;
    }

    public Builder maxInFlightRecords(int value) {
      config.setMaxInFlightRecords(value);
      return this;
    }

    public Builder maxInFlightBytes(long value) {
      config.setMaxInFlightBytes(value);
      return this;
    }

    public Builder maxAttempts(int value) {
      config.setMaxAttempts(value);
      return this;
    }

    public Builder backoff(Duration initial, Duration max) {
      config.setInitialBackoff(initial).setMaxBackoff(max);
      return this;
    }

    public Builder recordTtl(Duration value) {
      config.setRecordTtl(value);
      return this;
    }

    /** Checks the settings and starts the sender thread. */
    public StreamProducer build() {
      return new StreamProducer(client, config.build());
    }
  }

  private StreamProducer(StreamClient client, ProducerConfig config) {
    this.client = client;
    this.config = config;
    this.sender = new Thread(this::runSender, "freshet-producer-sender");
    sender.setDaemon(true);
    sender.start();
  }

  public ProducerConfig config() {
    return config;
  }

  /**
   * Queues {@code record} for {@code stream}, blocking while the in-flight limits are reached. The
   * future completes with where the record (or its aggregate) was written, or fails with why not.
   *
   * @throws IllegalArgumentException if the record can never be written (key or size out of range)
   * @throws IllegalStateException if the producer is closed, or the thread was interrupted waiting
   */
  public CompletableFuture<PutRecordResult> send(String stream, PutRecordsEntry record) {
    return enqueue(stream, record, true).orElseThrow();
  }

  /** Like {@link #send}, but returns empty instead of blocking when the in-flight limits are reached. */
  public Optional<CompletableFuture<PutRecordResult>> trySend(String stream, PutRecordsEntry record) {
    return enqueue(stream, record, false);
  }

  private Optional<CompletableFuture<PutRecordResult>> enqueue(String stream, PutRecordsEntry record, boolean block) {
    checkNotNull(stream, "stream");
    checkNotNull(record, "record");
    int keyLength = record.partitionKey().length();
    checkArgument(keyLength >= 1 && keyLength <= MAX_PARTITION_KEY_CHARS,
        "partitionKey must have 1 to 256 characters, but had: %s", keyLength);
    checkArgument(record.data().length <= AggregatedRecords.MAX_RECORD_BYTES,
        "data must be at most 1 MiB, but was: %s bytes", record.data().length);
    // An aggregate is one stream record with no producer of its own: its members' would be lost.
    checkArgument(!config.aggregation() || !record.isIdempotent(),
        "a record with a producer (an idempotent write) cannot be sent by a producer that aggregates");
    long bytes = record.data().length + record.partitionKey().getBytes(StandardCharsets.UTF_8).length;
    lock.lock();
    try {
      checkOpen();
      while (!hasRoom(bytes)) {
        if (!block) {
          return Optional.empty();
        }
        room.awaitUninterruptibly();
        checkOpen();
      }
      Pending pending = new Pending(nextId++, stream, record, bytes,
          System.nanoTime() + config.recordTtl().toNanos());
      inFlightRecords++;
      inFlightBytes += bytes;
      outstanding.add(pending.future);
      queues.computeIfAbsent(stream, s -> new StreamQueue()).add(pending);
      work.signal();
      return Optional.of(pending.future);
    } finally {
      lock.unlock();
    }
  }

  private boolean hasRoom(long bytes) {
    // A record larger than the byte limit on its own still goes through when nothing else is in flight.
    return inFlightRecords == 0
        || (inFlightRecords < config.maxInFlightRecords() && inFlightBytes + bytes <= config.maxInFlightBytes());
  }

  private void checkOpen() {
    if (senderFailure != null) {
      throw new IllegalStateException("the producer's sender thread failed: " + senderFailure, senderFailure);
    }
    if (closing) {
      throw new IllegalStateException("the producer is closed");
    }
  }

  /**
   * Sends everything queued now without waiting for the linger time, and blocks until every record
   * sent before this call is acknowledged or failed.
   *
   * @throws IllegalStateException if interrupted meanwhile (the interrupt flag is kept)
   */
  public void flush() {
    List<CompletableFuture<PutRecordResult>> snapshot = new ArrayList<>(outstanding);
    lock.lock();
    try {
      flushers++;
      work.signal();
    } finally {
      lock.unlock();
    }
    try {
      CompletableFuture.allOf(snapshot.stream().map(f -> f.handle((r, e) -> null)).toArray(CompletableFuture[]::new)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while flushing", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("unreachable: failures are handled", e);
    } finally {
      lock.lock();
      try {
        flushers--;
      } finally {
        lock.unlock();
      }
    }
  }

  /** The counters so far. */
  public ProducerMetrics metrics() {
    lock.lock();
    try {
      return ProducerMetrics.of(recordsSent.get(), recordsFailed.get(), retryCount.get(), batches.get(),
          aggregates.get(), inFlightRecords, inFlightBytes);
    } finally {
      lock.unlock();
    }
  }

  /** Refuses new records, flushes the queued ones and stops the sender. Leaves the client open. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closing) {
        return;
      }
      closing = true;
      room.signalAll();
    } finally {
      lock.unlock();
    }
    flush();
    lock.lock();
    try {
      stopped = true;
      work.signal();
    } finally {
      lock.unlock();
    }
    try {
      sender.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the sender thread ----

  private void runSender() {
    try {
      sendUntilStopped();
    } catch (Throwable t) {
      // Nothing else settles the records once the sender is gone: fail them all, or flush() and a
      // blocked send() would wait for ever.
      LOG.error("Producer sender thread failed; failing every record not yet settled", t);
      abandon(t);
    }
  }

  private void sendUntilStopped() {
    while (true) {
      String stream;
      List<Pending> batch;
      lock.lock();
      try {
        while (true) {
          long now = System.nanoTime();
          moveDueRetries(now);
          stream = readyStream(now);
          if (stream != null) {
            batch = queues.get(stream).drain(config.aggregation() ? Integer.MAX_VALUE : config.maxBatchRecords(),
                config.maxBatchBytes());
            break;
          }
          if (stopped && retries.isEmpty() && queues.values().stream().allMatch(StreamQueue::isEmpty)) {
            return;
          }
          long wake = nextWakeNanos(now);
          if (wake == Long.MAX_VALUE) {
            work.awaitUninterruptibly();
          } else if (wake > now) {
            try {
              work.awaitNanos(wake - now);
            } catch (InterruptedException e) {
              // Only close() stops the sender; an interrupt from elsewhere is not a reason to drop records.
            }
          }
        }
      } finally {
        lock.unlock();
      }
      sending = batch;
      try {
        send(stream, batch);
      } catch (Throwable e) {
        // An error of the client (an Error too: out of memory, a class that failed to load) must not
        // strand futures or kill the sender: settle what the batch left unsettled and go on. Records
        // of the batch already written or scheduled for a retry keep their outcome.
        LOG.warn("Producer sender failed on a batch of {} records for stream {}; failing those not yet settled",
            batch.size(), stream, e);
        for (Pending p : batch) {
          if (unscheduled(p)) {
            fail(p, new RecordFailedException("InternalFailure", "the producer failed: " + e, p.attempts, e));
          }
        }
      }
      sending = List.of();
    }
  }

  /** Whether {@code p} is neither settled nor waiting for a retry. */
  private boolean unscheduled(Pending p) {
    lock.lock();
    try {
      return !p.settled && !retries.contains(p);
    } finally {
      lock.unlock();
    }
  }

  /** After the sender failed: refuses new records and fails every unsettled one. */
  private void abandon(Throwable failure) {
    List<Pending> left = new ArrayList<>(sending);
    lock.lock();
    try {
      senderFailure = failure;
      left.addAll(retries);
      retries.clear();
      for (StreamQueue q : queues.values()) {
        left.addAll(q.drain(Integer.MAX_VALUE, Long.MAX_VALUE));
      }
      room.signalAll();
    } finally {
      lock.unlock();
    }
    for (Pending p : left) {
      fail(p, new RecordFailedException("InternalFailure", "the producer's sender thread failed: " + failure,
          p.attempts, failure));
    }
    // Records the sender held when it failed are in no queue: fail them through their futures.
    RecordFailedException lost = new RecordFailedException("InternalFailure",
        "the producer's sender thread failed: " + failure, 0, failure);
    for (CompletableFuture<PutRecordResult> future : new ArrayList<>(outstanding)) {
      outstanding.remove(future);
      future.completeExceptionally(lost);
    }
  }

  private void moveDueRetries(long now) {
    List<Pending> due = new ArrayList<>();
    while (!retries.isEmpty() && retries.peek().nextAttemptNanos <= now) {
      due.add(retries.poll());
    }
    due.sort(Comparator.comparingLong(p -> p.id));
    for (int i = due.size() - 1; i >= 0; i--) {
      queues.computeIfAbsent(due.get(i).stream, s -> new StreamQueue()).addFirst(due.get(i));
    }
  }

  private String readyStream(long now) {
    boolean urgent = flushers > 0 || closing;
    for (Map.Entry<String, StreamQueue> e : queues.entrySet()) {
      StreamQueue q = e.getValue();
      if (q.isEmpty()) {
        continue;
      }
      // Aggregation packs many records per entry, so only bytes make its batch full.
      boolean full = q.bytes >= config.maxBatchBytes()
          || (!config.aggregation() && q.size() >= config.maxBatchRecords());
      if (urgent || full || now - q.oldestEnqueuedNanos() >= config.lingerTime().toNanos()) {
        return e.getKey();
      }
    }
    return null;
  }

  private long nextWakeNanos(long now) {
    long wake = Long.MAX_VALUE;
    for (StreamQueue q : queues.values()) {
      if (!q.isEmpty()) {
        wake = Math.min(wake, q.oldestEnqueuedNanos() + config.lingerTime().toNanos());
      }
    }
    if (!retries.isEmpty()) {
      wake = Math.min(wake, retries.peek().nextAttemptNanos);
    }
    return wake;
  }

  /** One stream record to put: a user record as it is, or an aggregate of several. */
  private static final class Unit {
    final PutRecordsEntry entry;
    final List<Pending> members;
    final String predictedShard;

    Unit(PutRecordsEntry entry, List<Pending> members, String predictedShard) {
      this.entry = entry;
      this.members = members;
      this.predictedShard = predictedShard;
    }

    long bytes() {
      return entry.data().length + entry.partitionKey().getBytes(StandardCharsets.UTF_8).length;
    }
  }

  private void send(String stream, List<Pending> batch) {
    long now = System.nanoTime();
    List<Pending> live = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      if (now >= p.deadlineNanos) {
        fail(p, expired(p, null));
      } else {
        live.add(p);
      }
    }
    if (live.isEmpty()) {
      return;
    }
    List<Unit> units;
    try {
      units = config.aggregation() ? aggregate(stream, live) : plain(live);
    } catch (StreamException e) {
      for (Pending p : live) {
        p.attempts++;
        retryOrFail(p, e.errorCode(), e.getMessage(), e, e.isRetryable());
      }
      return;
    }
    int from = 0;
    while (from < units.size()) {
      int to = from;
      long bytes = 0;
      while (to < units.size() && to - from < config.maxBatchRecords()
          && (to == from || bytes + units.get(to).bytes() <= config.maxBatchBytes())) {
        bytes += units.get(to).bytes();
        to++;
      }
      put(stream, units.subList(from, to));
      from = to;
    }
  }

  private static List<Unit> plain(List<Pending> records) {
    List<Unit> units = new ArrayList<>(records.size());
    for (Pending p : records) {
      units.add(new Unit(p.record, List.of(p), null));
    }
    return units;
  }

  private List<Unit> aggregate(String stream, List<Pending> records) {
    ShardMap map = shardMaps.get(stream);
    if (map == null) {
      map = ShardMap.load(client, stream);
      shardMaps.put(stream, map);
    }
    Map<String, List<Pending>> byShard = new LinkedHashMap<>();
    List<Unit> units = new ArrayList<>();
    for (Pending p : records) {
      String shard = map.shardOf(ShardMap.hashKeyOf(p.record.partitionKey(), p.record.explicitHashKey()));
      if (shard == null) {
        units.add(new Unit(p.record, List.of(p), null));
      } else {
        byShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(p);
      }
    }
    Aggregator aggregator = new Aggregator(AggregatedRecords.MAX_RECORD_BYTES);
    for (Map.Entry<String, List<Pending>> group : byShard.entrySet()) {
      List<Pending> members = new ArrayList<>();
      for (Pending p : group.getValue()) {
        UserRecord user = UserRecord.of(p.record.partitionKey(), p.record.explicitHashKey(), p.record.data());
        if (!aggregator.tryAdd(user)) {
          emit(units, aggregator, members, group.getKey());
          if (!aggregator.tryAdd(user)) {
            units.add(new Unit(p.record, List.of(p), group.getKey()));
            continue;
          }
        }
        members.add(p);
      }
      emit(units, aggregator, members, group.getKey());
    }
    return units;
  }

  /** Turns the aggregator's records into a unit (a lone record goes as it is) and empties both. */
  private static void emit(List<Unit> units, Aggregator aggregator, List<Pending> members, String shard) {
    if (members.isEmpty()) {
      return;
    }
    Pending first = members.get(0);
    if (members.size() == 1) {
      units.add(new Unit(first.record, List.of(first), shard));
    } else {
      String hashKey = ShardMap.hashKeyOf(first.record.partitionKey(), first.record.explicitHashKey()).toString();
      units.add(new Unit(PutRecordsEntry.of(first.record.partitionKey(), hashKey, aggregator.build()),
          List.copyOf(members), shard));
    }
    aggregator.clear();
    members.clear();
  }

  private void put(String stream, List<Unit> units) {
    List<PutRecordsEntry> entries = new ArrayList<>(units.size());
    for (Unit unit : units) {
      entries.add(unit.entry);
      for (Pending p : unit.members) {
        p.attempts++;
      }
    }
    batches.incrementAndGet();
    PutRecordsResult result;
    try {
      result = client.putRecords(stream, entries);
    } catch (StreamException e) {
      for (Unit unit : units) {
        for (Pending p : unit.members) {
          retryOrFail(p, e.errorCode(), e.getMessage(), e, e.isRetryable());
        }
      }
      return;
    }
    for (int i = 0; i < units.size(); i++) {
      Unit unit = units.get(i);
      PutRecordsResultEntry entry = result.records().get(i);
      if (entry.isSuccessful()) {
        if (unit.members.size() > 1) {
          aggregates.incrementAndGet();
        }
        if (unit.predictedShard != null && !unit.predictedShard.equals(entry.shardId())) {
          shardMaps.remove(stream); // resharded since the map was listed
        }
        PutRecordResult written = PutRecordResult.of(entry.shardId(), entry.sequenceNumber(), result.encryptionType());
        for (Pending p : unit.members) {
          succeed(p, written);
        }
      } else {
        boolean retryable = "ProvisionedThroughputExceededException".equals(entry.errorCode())
            || "InternalFailure".equals(entry.errorCode());
        for (Pending p : unit.members) {
          retryOrFail(p, entry.errorCode(), entry.errorMessage(), null, retryable);
        }
      }
    }
  }

  private void retryOrFail(Pending p, String code, String message, Throwable cause, boolean retryable) {
    if (!retryable) {
      fail(p, cause instanceof StreamException ? cause
          : new RecordFailedException(code, code + ": " + message, p.attempts, cause));
      return;
    }
    if (p.attempts >= config.maxAttempts()) {
      fail(p, new RecordFailedException(code, "gave up after " + p.attempts + " attempts; last error "
          + code + ": " + message, p.attempts, cause));
      return;
    }
    long backoff = Math.min(config.maxBackoff().toNanos(),
        config.initialBackoff().toNanos() << Math.min(p.attempts - 1, 30));
    long next = System.nanoTime() + backoff;
    if (next >= p.deadlineNanos) {
      fail(p, expired(p, code + ": " + message));
      return;
    }
    p.nextAttemptNanos = next;
    retryCount.incrementAndGet();
    lock.lock();
    try {
      retries.add(p);
    } finally {
      lock.unlock();
    }
  }

  private RecordFailedException expired(Pending p, String lastError) {
    return new RecordFailedException(RecordFailedException.EXPIRED, "not written within recordTtl "
        + config.recordTtl() + " after " + p.attempts + " attempts"
        + (lastError == null ? "" : "; last error " + lastError), p.attempts, null);
  }

  private void succeed(Pending p, PutRecordResult result) {
    if (settle(p)) {
      recordsSent.incrementAndGet();
      p.future.complete(result);
    }
  }

  private void fail(Pending p, Throwable failure) {
    if (settle(p)) {
      recordsFailed.incrementAndGet();
      p.future.completeExceptionally(failure);
    }
  }

  /** Releases {@code p}'s share of the in-flight limits; false if it was settled already. */
  private boolean settle(Pending p) {
    lock.lock();
    try {
      if (p.settled) {
        return false;
      }
      p.settled = true;
      inFlightRecords--;
      inFlightBytes -= p.bytes;
      outstanding.remove(p.future);
      room.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** A record accepted by {@code send} and not yet settled. */
  private static final class Pending {
    final long id;
    final String stream;
    final PutRecordsEntry record;
    final long bytes;
    final long enqueuedNanos = System.nanoTime();
    final long deadlineNanos;
    final CompletableFuture<PutRecordResult> future = new CompletableFuture<>();
    int attempts;
    long nextAttemptNanos;
    /** Set once, under the producer's lock, when the record is acknowledged or failed. */
    boolean settled;

    Pending(long id, String stream, PutRecordsEntry record, long bytes, long deadlineNanos) {
      this.id = id;
      this.stream = stream;
      this.record = record;
      this.bytes = bytes;
      this.deadlineNanos = deadlineNanos;
    }
  }

  /** One stream's records waiting to be sent, oldest first. */
  private static final class StreamQueue {
    private final ArrayDeque<Pending> records = new ArrayDeque<>();
    long bytes;

    void add(Pending p) {
      records.addLast(p);
      bytes += p.bytes;
    }

    void addFirst(Pending p) {
      records.addFirst(p);
      bytes += p.bytes;
    }

    boolean isEmpty() {
      return records.isEmpty();
    }

    int size() {
      return records.size();
    }

    long oldestEnqueuedNanos() {
      // A retried record at the head is older than its linger, so it goes at once.
      Pending head = records.peekFirst();
      return head == null ? Long.MAX_VALUE : head.enqueuedNanos;
    }

    /** Takes records from the head, up to {@code maxRecords} and {@code maxBytes} (at least one). */
    List<Pending> drain(int maxRecords, long maxBytes) {
      List<Pending> out = new ArrayList<>();
      long taken = 0;
      Iterator<Pending> it = records.iterator();
      while (it.hasNext() && out.size() < maxRecords) {
        Pending p = it.next();
        if (!out.isEmpty() && taken + p.bytes > maxBytes) {
          break;
        }
        it.remove();
        out.add(p);
        taken += p.bytes;
      }
      bytes -= taken;
      return out;
    }
  }
}
