package dev.freshet.transforms.firehose;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers the records of one destination partition (the key) in state and delivers them when the
 * buffer reaches the size hint (or, for a batch destination, its most records per batch), when the
 * interval timer fires, or at the end of the window: as one object to an object destination, or as
 * one batch to a {@link BatchDestination}, whose failed batches become error records. The state is
 * cleared only after the object is whole at the destination, or the batch is delivered or given up.
 */
final class BufferFn extends DoFn<KV<String, RecordChunk>, DeliveredObject> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(BufferFn.class);
  private static final DateTimeFormatter SUFFIX_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss");

  private final FirehoseDestination destination;
  /** The main output: one element per object put or batch delivered. */
  static final TupleTag<DeliveredObject> OBJECTS = new TupleTag<>("objects") {};

  /** What a buffering stage delivers. */
  enum Role {
    /** The records, after transformation (and conversion): to objects or a batch destination. */
    DATA,
    /** The error output, one JSON error record per line: always to objects. */
    ERRORS,
    /** The source records as they arrived (the all-data backup): always to objects. */
    SOURCE_BACKUP
  }

  /** Set when buffers go to a batch destination; error output always goes to objects. */
  private final @Nullable BatchDestination batchDestination;
  private final TupleTag<FirehoseErrorRecord> failedTag;
  private final PrefixExpression prefix;
  private final boolean errorOutput;
  /** Set when the data is converted to a columnar format: one Parquet or ORC file per object. */
  private final @Nullable DataFormatConversion conversion;
  private transient @Nullable ColumnarWriter columnar;
  private final String streamName;
  private final int version;
  private final long sizeHint;
  private final long maxRecords;
  private final org.joda.time.Duration interval;
  private final CompressionFormat compression;
  private final boolean delimit;
  private final String zone;

  private transient FirehoseDestination.@Nullable Connection connection;
  private transient BatchDestination.@Nullable BatchConnection batches;

  @StateId("records")
  private final StateSpec<BagState<FirehoseRecord>> recordsSpec = StateSpecs.bag(FirehoseRecordCoder.of());

  /** The buffer's totals in one value, so that a record costs one read and one write of it. */
  @StateId("totals")
  private final StateSpec<ValueState<Totals>> totalsSpec = StateSpecs.value(new TotalsCoder());

  @TimerId("interval")
  private final TimerSpec intervalSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

  @TimerId("endOfWindow")
  private final TimerSpec endOfWindowSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  /**
   * Data (to objects, or to a batch destination, whose failed records go to {@code failedTag}), the
   * error output or the source-record backup (always to objects), put to {@code target}.
   */
  BufferFn(FirehoseDelivery.Write spec, FirehoseDestination target, PrefixExpression prefix, Role role,
      TupleTag<FirehoseErrorRecord> failedTag) {
    boolean errorOutput = role == Role.ERRORS;
    this.destination = target;
    this.batchDestination = role == Role.DATA && target instanceof BatchDestination batch ? batch : null;
    this.conversion = role == Role.DATA ? spec.dataFormatConversion() : null;
    this.failedTag = failedTag;
    this.maxRecords = batchDestination == null ? Long.MAX_VALUE : batchDestination.maxBatchRecords();
    this.prefix = prefix;
    this.errorOutput = errorOutput;
    this.streamName = spec.deliveryStreamName();
    this.version = spec.version();
    this.sizeHint = spec.bufferSizeBytes();
    this.interval = spec.bufferInterval();
    this.compression = spec.compression();
    // Error records are JSON objects, one per line, whatever the data's processors.
    this.delimit = errorOutput || spec.appendDelimiter();
    this.zone = spec.timeZone();
  }

  @Setup
  public void setup() throws IOException {
    if (conversion != null) {
      columnar = new ColumnarWriter(conversion);
    }
    if (batchDestination == null) {
      connection = destination.connect();
    } else {
      batches = batchDestination.connectBatches();
    }
  }

  @Teardown
  public void teardown() throws IOException {
    FirehoseDestination.Connection objects = connection;
    BatchDestination.BatchConnection batchConnection = batches;
    connection = null;
    batches = null;
    try {
      if (objects != null) {
        objects.close();
      }
    } finally {
      if (batchConnection != null) {
        batchConnection.close();
      }
    }
  }

  /** A buffer's bytes (with delimiters), records and oldest arrival time (epoch millis). */
  record Totals(long bytes, long count, long oldest) {
    Totals plus(long size, long arrival) {
      return new Totals(bytes + size, count + 1, Math.min(oldest, arrival));
    }
  }

  /** Three variable-length longs. */
  static final class TotalsCoder extends AtomicCoder<Totals> {
    private static final long serialVersionUID = 1L;
    private static final VarLongCoder LONG = VarLongCoder.of();

    @Override
    public void encode(Totals value, OutputStream out) throws IOException {
      LONG.encode(value.bytes(), out);
      LONG.encode(value.count(), out);
      LONG.encode(value.oldest(), out);
    }

    @Override
    public Totals decode(InputStream in) throws IOException {
      return new Totals(LONG.decode(in), LONG.decode(in), LONG.decode(in));
    }
  }

  /** The state of one partition's buffer. */
  private record Buffer(BagState<FirehoseRecord> records, ValueState<Totals> totals, Timer interval) {
    void clear() {
      records.clear();
      totals.clear();
      interval.clear();
    }
  }

  @ProcessElement
  public void process(@Element KV<String, RecordChunk> element, BoundedWindow window,
      @StateId("records") BagState<FirehoseRecord> records, @StateId("totals") ValueState<Totals> totalsState,
      @TimerId("interval") Timer intervalTimer, @TimerId("endOfWindow") Timer endOfWindow,
      MultiOutputReceiver out) throws IOException, InterruptedException {
    Buffer buffer = new Buffer(records, totalsState, intervalTimer);
    RecordChunk chunk = element.getValue();
    // The interval counts from when the buffer's first record entered the delivery (reached
    // ChunkFn), not from when its chunk got here: the time the chunk waited (the bundle's span, at
    // most a second or so) is taken off. The timer itself stays relative to the runner's clock.
    long waited = Math.max(0, System.currentTimeMillis() - chunk.firstSeenMillis());
    org.joda.time.Duration due = waited >= interval.getMillis() ? org.joda.time.Duration.ZERO
        : interval.minus(org.joda.time.Duration.millis(waited));
    Totals totals = totalsState.read();
    for (FirehoseRecord record : chunk.records()) {
      long size = record.data().length + (delimit ? 1 : 0);
      long arrival = record.approximateArrivalTimestamp().getMillis();
      if (totals != null && totals.bytes() > 0 && totals.bytes() + size > sizeHint) {
        put(element.getKey(), buffer, totals, out);
        totals = null;
      }
      if (totals == null) {
        intervalTimer.offset(due).setRelative();
        endOfWindow.set(window.maxTimestamp());
        totals = new Totals(size, 1, arrival);
      } else {
        totals = totals.plus(size, arrival);
      }
      records.add(record);
      if (totals.bytes() >= sizeHint || totals.count() >= maxRecords) {
        put(element.getKey(), buffer, totals, out);
        totals = null;
      }
    }
    if (totals != null) {
      totalsState.write(totals);
    }
  }

  @OnTimer("interval")
  public void onInterval(@Key String key,
      @StateId("records") BagState<FirehoseRecord> records, @StateId("totals") ValueState<Totals> totals,
      @TimerId("interval") Timer intervalTimer, MultiOutputReceiver out) throws IOException, InterruptedException {
    putIfAny(key, new Buffer(records, totals, intervalTimer), out);
  }

  @OnTimer("endOfWindow")
  public void onEndOfWindow(@Key String key,
      @StateId("records") BagState<FirehoseRecord> records, @StateId("totals") ValueState<Totals> totals,
      @TimerId("interval") Timer intervalTimer, MultiOutputReceiver out) throws IOException, InterruptedException {
    putIfAny(key, new Buffer(records, totals, intervalTimer), out);
  }

  private void putIfAny(String key, Buffer buffer, MultiOutputReceiver out) throws IOException, InterruptedException {
    Totals totals = buffer.totals().read();
    if (totals != null) {
      put(key, buffer, totals, out);
    }
  }

  /** Delivers the buffer (whose totals are {@code totals}) as one object or batch, then empties it. */
  private void put(String key, Buffer buffer, Totals totals, MultiOutputReceiver out)
      throws IOException, InterruptedException {
    long oldestMillis = totals.oldest();
    Iterable<FirehoseRecord> records = buffer.records().read();
    DeliveryKey partition = DeliveryKey.decode(key);
    java.time.Instant oldest = java.time.Instant.ofEpochMilli(oldestMillis);
    ZoneId zoneId = ZoneId.of(zone);
    String objectKey = prefix.evaluate(oldest, zoneId, partition.partitionKeys(), partition.errorOutputType())
        + streamName + "-" + version + "-" + SUFFIX_TIME.withZone(zoneId).format(oldest) + "-"
        + UUID.randomUUID() + (conversion != null ? conversion.format().extension() : compression.extension());
    // Counted while written: a retried put starts again from zero.
    long[] bytes = new long[1];
    long[] count = new long[1];
    FirehoseDestination.Body body = conversion != null ? raw -> {
      bytes[0] = 0;
      count[0] = 0;
      for (FirehoseRecord record : records) {
        count[0]++;
        bytes[0] += record.data().length;
      }
      columnar.write(records, raw);
    } : raw -> {
      bytes[0] = 0;
      count[0] = 0;
      // Records are small: gathered into large writes, so the compressor is called once per 64 KiB
      // rather than twice per record (its data, then the delimiter).
      try (OutputStream compressed = compression == CompressionFormat.UNCOMPRESSED ? raw
          : new BufferedOutputStream(compression.wrap(raw, objectKey), 64 * 1024)) {
        for (FirehoseRecord record : records) {
          count[0]++;
          compressed.write(record.data());
          bytes[0] += record.data().length;
          if (delimit) {
            compressed.write('\n');
            bytes[0]++;
          }
        }
      }
    };
    if (batches != null) {
      deliverBatch(objectKey, records, body, buffer, out);
      return;
    }
    connection.put(objectKey, body);
    LOG.debug("Delivery stream {}: put {} ({} records, {} bytes) to {}", streamName, objectKey, count[0],
        bytes[0], destination.describe());
    buffer.clear();
    out.get(OBJECTS).output(DeliveredObject.of(objectKey, count[0], bytes[0], errorOutput));
  }

  /** Hands the buffer to the batch destination; a batch it gave up on becomes error records. */
  private void deliverBatch(String objectKey, Iterable<FirehoseRecord> records, FirehoseDestination.Body body,
      Buffer buffer, MultiOutputReceiver out) throws IOException, InterruptedException {
    List<FirehoseRecord> list = new ArrayList<>();
    List<byte[]> data = new ArrayList<>();
    long bytes = 0;
    for (FirehoseRecord record : records) {
      list.add(record);
      data.add(record.data());
      bytes += record.data().length + (delimit ? 1 : 0);
    }
    BatchDestination.BatchResult result = batches.deliver(new BatchDestination.Batch(objectKey, data, body));
    buffer.clear();
    if (result.isDelivered()) {
      LOG.debug("Delivery stream {}: delivered {} ({} records) to {} in {} attempts", streamName, result.id(),
          list.size(), destination.describe(), result.attempts());
      out.get(OBJECTS).output(DeliveredObject.of(result.id(), list.size(), bytes, false));
      return;
    }
    long now = System.currentTimeMillis();
    for (FirehoseRecord record : list) {
      out.get(failedTag).output(FirehoseErrorRecord.of(batchDestination.errorOutputType(), result.attempts(),
          record.approximateArrivalTimestamp().getMillis(), result.errorCode(), result.errorMessage(), now,
          record.data(), null));
    }
  }
}
