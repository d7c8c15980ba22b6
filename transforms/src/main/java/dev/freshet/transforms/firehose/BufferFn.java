package dev.freshet.transforms.firehose;

import java.io.IOException;
import java.io.OutputStream;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
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
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers the records of one destination partition (the key) in state and puts them as one object
 * when the buffer reaches the size hint, when the interval timer fires, or at the end of the
 * window. The state is cleared only after the object is whole at the destination.
 */
final class BufferFn extends DoFn<KV<String, FirehoseRecord>, DeliveredObject> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(BufferFn.class);
  private static final DateTimeFormatter SUFFIX_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss");

  private final FirehoseDestination destination;
  private final PrefixExpression prefix;
  private final boolean errorOutput;
  private final String streamName;
  private final int version;
  private final long sizeHint;
  private final org.joda.time.Duration interval;
  private final CompressionFormat compression;
  private final boolean delimit;
  private final String zone;

  private transient FirehoseDestination.@Nullable Connection connection;

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

  BufferFn(FirehoseDelivery.Write spec, PrefixExpression prefix, boolean errorOutput) {
    this.destination = spec.destination();
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
    connection = destination.connect();
  }

  @Teardown
  public void teardown() throws IOException {
    if (connection != null) {
      connection.close();
      connection = null;
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
      OutputReceiver<DeliveredObject> out) throws IOException {
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
    count.write(n == null ? 1 : n + 1);
    long arrival = record.approximateArrivalTimestamp().getMillis();
    Long previous = oldest.read();
    if (previous == null || arrival < previous) {
      oldest.write(arrival);
    }
    if (buffered + size >= sizeHint) {
      put(element.getKey(), buffer, out);
    }
  }

  @OnTimer("interval")
  public void onInterval(@Key String key,
      @StateId("records") BagState<FirehoseRecord> records, @StateId("bytes") ValueState<Long> bytes,
      @StateId("count") ValueState<Long> count, @StateId("oldest") ValueState<Long> oldest,
      @TimerId("interval") Timer intervalTimer, OutputReceiver<DeliveredObject> out) throws IOException {
    put(key, new Buffer(records, bytes, count, oldest, intervalTimer), out);
  }

  @OnTimer("endOfWindow")
  public void onEndOfWindow(@Key String key,
      @StateId("records") BagState<FirehoseRecord> records, @StateId("bytes") ValueState<Long> bytes,
      @StateId("count") ValueState<Long> count, @StateId("oldest") ValueState<Long> oldest,
      @TimerId("interval") Timer intervalTimer, OutputReceiver<DeliveredObject> out) throws IOException {
    put(key, new Buffer(records, bytes, count, oldest, intervalTimer), out);
  }

  /** Puts the buffer as one object, if it holds anything, then empties it. */
  private void put(String key, Buffer buffer, OutputReceiver<DeliveredObject> out) throws IOException {
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
        + UUID.randomUUID() + compression.extension();
    // Counted while written: a retried put starts again from zero.
    long[] bytes = new long[1];
    long[] count = new long[1];
    connection.put(objectKey, raw -> {
      bytes[0] = 0;
      count[0] = 0;
      try (OutputStream body = compression.wrap(raw, objectKey)) {
        for (FirehoseRecord record : records) {
          count[0]++;
          body.write(record.data());
          bytes[0] += record.data().length;
          if (delimit) {
            body.write('\n');
            bytes[0]++;
          }
        }
      }
    });
    LOG.debug("Delivery stream {}: put {} ({} records, {} bytes) to {}", streamName, objectKey, count[0],
        bytes[0], destination.describe());
    buffer.clear();
    out.output(DeliveredObject.of(objectKey, count[0], bytes[0], errorOutput));
  }
}
