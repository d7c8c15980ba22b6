package dev.freshet.transforms.firehose;

import java.io.IOException;
import java.io.OutputStream;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
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
final class BufferFn extends DoFn<KV<String, FirehoseRecord>, DeliveredObject> {
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

  @StateId("bytes")
  private final StateSpec<ValueState<Long>> bytesSpec = StateSpecs.value(VarLongCoder.of());

  @StateId("count")
  private final StateSpec<ValueState<Long>> countSpec = StateSpecs.value(VarLongCoder.of());

  @StateId("oldest")
  private final StateSpec<ValueState<Long>> oldestSpec = StateSpecs.value(VarLongCoder.of());

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

  /** The state of one partition's buffer. */
  private record Buffer(BagState<FirehoseRecord> records, ValueState<Long> bytes, ValueState<Long> count,
      ValueState<Long> oldest, Timer interval) {
    long bytesOrZero() {
      Long value = bytes.read();
      return value == null ? 0 : value;
    }

    void clear() {
      records.clear();
      bytes.clear();
      count.clear();
      oldest.clear();
      interval.clear();
    }
  }

  @ProcessElement
  public void process(@Element KV<String, FirehoseRecord> element, BoundedWindow window,
      @StateId("records") BagState<FirehoseRecord> records, @StateId("bytes") ValueState<Long> bytes,
      @StateId("count") ValueState<Long> count, @StateId("oldest") ValueState<Long> oldest,
      @TimerId("interval") Timer intervalTimer, @TimerId("endOfWindow") Timer endOfWindow,
      MultiOutputReceiver out) throws IOException, InterruptedException {
    Buffer buffer = new Buffer(records, bytes, count, oldest, intervalTimer);
    FirehoseRecord record = element.getValue();
    long size = record.data().length + (delimit ? 1 : 0);
    long buffered = buffer.bytesOrZero();
    if (buffered > 0 && buffered + size > sizeHint) {
      put(element.getKey(), buffer, out);
      buffered = 0;
    }
    if (buffered == 0) {
      intervalTimer.offset(interval).setRelative();
      endOfWindow.set(window.maxTimestamp());
    }
    records.add(record);
    bytes.write(buffered + size);
    Long n = count.read();
    long recordCount = n == null ? 1 : n + 1;
    count.write(recordCount);
    long arrival = record.approximateArrivalTimestamp().getMillis();
    Long previous = oldest.read();
    if (previous == null || arrival < previous) {
      oldest.write(arrival);
    }
    if (buffered + size >= sizeHint || recordCount >= maxRecords) {
      put(element.getKey(), buffer, out);
    }
  }

  @OnTimer("interval")
  public void onInterval(@Key String key,
      @StateId("records") BagState<FirehoseRecord> records, @StateId("bytes") ValueState<Long> bytes,
      @StateId("count") ValueState<Long> count, @StateId("oldest") ValueState<Long> oldest,
      @TimerId("interval") Timer intervalTimer, MultiOutputReceiver out) throws IOException, InterruptedException {
    put(key, new Buffer(records, bytes, count, oldest, intervalTimer), out);
  }

  @OnTimer("endOfWindow")
  public void onEndOfWindow(@Key String key,
      @StateId("records") BagState<FirehoseRecord> records, @StateId("bytes") ValueState<Long> bytes,
      @StateId("count") ValueState<Long> count, @StateId("oldest") ValueState<Long> oldest,
      @TimerId("interval") Timer intervalTimer, MultiOutputReceiver out) throws IOException, InterruptedException {
    put(key, new Buffer(records, bytes, count, oldest, intervalTimer), out);
  }

  /** Delivers the buffer as one object or batch, if it holds anything, then empties it. */
  private void put(String key, Buffer buffer, MultiOutputReceiver out) throws IOException, InterruptedException {
    Long oldestMillis = buffer.oldest().read();
    if (oldestMillis == null) {
      return;
    }
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
      try (OutputStream compressed = compression.wrap(raw, objectKey)) {
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
