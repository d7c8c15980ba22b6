package dev.freshet.transforms.firehose;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.transforms.firehose.TransformationResult.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery steps of {@link FirehoseDelivery} without Beam: for a program that keeps its own
 * buffer (the Firehose service in {@code freshet server}, an agent) and hands it over whole. One
 * {@link #deliver} call transforms the buffer with the spec's {@link RecordTransformer}, partitions
 * it by the jq queries and Lambda keys of the prefix, and puts one object per partition (more when a
 * partition is over the size hint), or one batch per partition to a {@link BatchDestination}; the
 * records that fail go to the error output, as objects under the error output prefix. Naming,
 * compression, delimiters, retries and error records are the transform's.
 *
 * <pre>{@code
 * FirehoseDelivery.Write spec = FirehoseDelivery.to(destination).withDeliveryStreamName("clicks")
 *     .withCompression(CompressionFormat.GZIP);
 * try (DeliveryEngine engine = DeliveryEngine.open(spec)) {   // checks the spec, connects
 *   DeliveryEngine.Outcome outcome = engine.deliver(buffer);  // List<FirehoseRecord>
 * }
 * }</pre>
 *
 * <p>The caller decides when a buffer is full (see {@link #bufferSizeBytes()} and {@link
 * #bufferInterval()}). When {@code deliver} returns, every record of the buffer is at the
 * destination or in the error output; when it throws, some may be and the caller delivers the whole
 * buffer again (at-least-once). An engine is used by one thread at a time.
 */
public final class DeliveryEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryEngine.class);
  private static final DateTimeFormatter SUFFIX_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss");
  private static final long TRANSFORMATION_BATCH_BYTES = 1L << 20;

  private final FirehoseDelivery.Write spec;
  private final FirehoseDelivery.Write.Prefixes prefixes;
  private final PartitionKeyQueries queries;
  private final ZoneId zone;
  private final FirehoseDestination.Connection objects;
  private final BatchDestination.@Nullable BatchConnection batches;

  private DeliveryEngine(FirehoseDelivery.Write spec, FirehoseDelivery.Write.Prefixes prefixes,
      FirehoseDestination.Connection objects, BatchDestination.@Nullable BatchConnection batches) {
    this.spec = spec;
    this.prefixes = prefixes;
    this.queries = new PartitionKeyQueries(spec.partitionKeyQueries());
    this.zone = ZoneId.of(spec.timeZone());
    this.objects = objects;
    this.batches = batches;
  }

  /**
   * Checks {@code spec} as applying the transform would (throwing {@link IllegalArgumentException}
   * with the same messages) and connects to its destination.
   */
  public static DeliveryEngine open(FirehoseDelivery.Write spec) throws IOException {
    checkNotNull(spec, "spec");
    FirehoseDelivery.Write.Prefixes prefixes = spec.prefixes();
    spec.checkDestination();
    validate(spec);
    FirehoseDestination.Connection objects = spec.destination().connect();
    BatchDestination.BatchConnection batches = null;
    if (spec.destination() instanceof BatchDestination batch) {
      try {
        batches = batch.connectBatches();
      } catch (IOException | RuntimeException e) {
        objects.close();
        throw e;
      }
    }
    return new DeliveryEngine(spec, prefixes, objects, batches);
  }

  /** Checks the whole of {@code spec} without connecting, as {@link #open} does. */
  public static void validate(FirehoseDelivery.Write spec) {
    spec.prefixes();
    spec.checkDestination();
  }

  /** The size hint in bytes: deliver a buffer once its data reaches this. */
  public long bufferSizeBytes() {
    return spec.bufferSizeBytes();
  }

  /** The interval hint: deliver a buffer once its oldest record has waited this long. */
  public java.time.Duration bufferInterval() {
    return java.time.Duration.ofMillis(spec.bufferInterval().getMillis());
  }

  /** What {@code record} adds to a buffer's size, as the size hint counts it (data and delimiter). */
  public long bufferedSize(FirehoseRecord record) {
    return record.data().length + (spec.appendDelimiter() ? 1 : 0);
  }

  /** The most records one delivery should hold (a batch destination's limit; else unlimited). */
  public int maxBufferRecords() {
    return spec.destination() instanceof BatchDestination batch ? batch.maxBatchRecords() : Integer.MAX_VALUE;
  }

  /** What one {@link #deliver} call did. */
  public static final class Outcome {
    private final List<DeliveredObject> objects;
    private final List<FirehoseErrorRecord> errors;

    Outcome(List<DeliveredObject> objects, List<FirehoseErrorRecord> errors) {
      this.objects = List.copyOf(objects);
      this.errors = List.copyOf(errors);
    }

    /** The objects put and batches delivered, data and error output. */
    public List<DeliveredObject> objects() {
      return objects;
    }

    /** The records that went to the error output. */
    public List<FirehoseErrorRecord> errors() {
      return errors;
    }
  }

  /** Delivers {@code buffer}: transformed, partitioned, put; failures to the error output. */
  public Outcome deliver(List<FirehoseRecord> buffer) throws IOException, InterruptedException {
    checkNotNull(buffer, "buffer");
    List<FirehoseErrorRecord> errors = new ArrayList<>();
    Map<String, List<FirehoseRecord>> partitions = new LinkedHashMap<>();
    if (spec.recordTransformer() == null) {
      for (FirehoseRecord record : buffer) {
        route(record, Map.of(), partitions, errors);
      }
    } else {
      transformAll(buffer, partitions, errors);
    }
    admit(partitions, errors);
    List<DeliveredObject> delivered = new ArrayList<>();
    for (Map.Entry<String, List<FirehoseRecord>> partition : partitions.entrySet()) {
      for (List<FirehoseRecord> part : split(partition.getValue(), spec.appendDelimiter(), maxBufferRecords())) {
        deliverData(partition.getKey(), part, delivered, errors);
      }
    }
    if (!errors.isEmpty()) {
      Map<String, List<FirehoseRecord>> byType = new LinkedHashMap<>();
      for (FirehoseErrorRecord error : errors) {
        byType.computeIfAbsent(DeliveryKey.error(error.errorOutputType()).encode(), k -> new ArrayList<>())
            .add(FirehoseRecord.unchecked(error.toJson().getBytes(StandardCharsets.UTF_8),
                new org.joda.time.Instant(error.arrivalTimestamp())));
      }
      for (Map.Entry<String, List<FirehoseRecord>> type : byType.entrySet()) {
        for (List<FirehoseRecord> part : split(type.getValue(), true, Integer.MAX_VALUE)) {
          delivered.add(putObject(prefixes.errors(), type.getKey(), part, true, true));
        }
      }
    }
    return new Outcome(delivered, errors);
  }

  /** Splits a partition's records so that each object stays within the size hint. */
  private List<List<FirehoseRecord>> split(List<FirehoseRecord> records, boolean delimit, int maxRecords) {
    List<List<FirehoseRecord>> parts = new ArrayList<>();
    List<FirehoseRecord> current = new ArrayList<>();
    long bytes = 0;
    for (FirehoseRecord record : records) {
      long size = record.data().length + (delimit ? 1 : 0);
      if (!current.isEmpty() && (bytes + size > spec.bufferSizeBytes() || current.size() >= maxRecords)) {
        parts.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(record);
      bytes += size;
    }
    if (!current.isEmpty()) {
      parts.add(current);
    }
    return parts;
  }

  private void deliverData(String partition, List<FirehoseRecord> records, List<DeliveredObject> delivered,
      List<FirehoseErrorRecord> errors) throws IOException, InterruptedException {
    if (batches == null) {
      delivered.add(putObject(prefixes.data(), partition, records, spec.appendDelimiter(), false));
      return;
    }
    String key = objectKey(prefixes.data(), partition, records);
    List<byte[]> data = new ArrayList<>(records.size());
    long bytes = 0;
    for (FirehoseRecord record : records) {
      data.add(record.data());
      bytes += record.data().length + (spec.appendDelimiter() ? 1 : 0);
    }
    BatchDestination.BatchResult result = batches.deliver(new BatchDestination.Batch(key, data,
        body(key, records, spec.appendDelimiter(), new long[2])));
    if (result.isDelivered()) {
      delivered.add(DeliveredObject.of(result.id(), records.size(), bytes, false));
      return;
    }
    long now = System.currentTimeMillis();
    String type = ((BatchDestination) spec.destination()).errorOutputType();
    for (FirehoseRecord record : records) {
      errors.add(FirehoseErrorRecord.of(type, result.attempts(), record.approximateArrivalTimestamp().getMillis(),
          result.errorCode(), result.errorMessage(), now, record.data(), null));
    }
  }

  private DeliveredObject putObject(PrefixExpression prefix, String partition, List<FirehoseRecord> records,
      boolean delimit, boolean errorOutput) throws IOException {
    String key = objectKey(prefix, partition, records);
    long[] counts = new long[2];
    objects.put(key, body(key, records, delimit, counts));
    LOG.debug("Delivery stream {}: put {} ({} records)", spec.deliveryStreamName(), key, counts[0]);
    return DeliveredObject.of(key, counts[0], counts[1], errorOutput);
  }

  /** The object's bytes; counts records and uncompressed bytes into {@code counts} as written. */
  private FirehoseDestination.Body body(String key, List<FirehoseRecord> records, boolean delimit, long[] counts) {
    return raw -> {
      counts[0] = 0;
      counts[1] = 0;
      try (OutputStream out = spec.compression().wrap(raw, key)) {
        for (FirehoseRecord record : records) {
          out.write(record.data());
          counts[0]++;
          counts[1] += record.data().length;
          if (delimit) {
            out.write('\n');
            counts[1]++;
          }
        }
      }
    };
  }

  private String objectKey(PrefixExpression prefix, String partition, List<FirehoseRecord> records) {
    long oldestMillis = Long.MAX_VALUE;
    for (FirehoseRecord record : records) {
      oldestMillis = Math.min(oldestMillis, record.approximateArrivalTimestamp().getMillis());
    }
    java.time.Instant oldest = java.time.Instant.ofEpochMilli(oldestMillis);
    DeliveryKey key = DeliveryKey.decode(partition);
    return prefix.evaluate(oldest, zone, key.partitionKeys(), key.errorOutputType())
        + spec.deliveryStreamName() + "-" + spec.version() + "-" + SUFFIX_TIME.withZone(zone).format(oldest) + "-"
        + UUID.randomUUID() + spec.compression().extension();
  }

  /** The cap on partitions: records of partitions past it go to the error output. */
  private void admit(Map<String, List<FirehoseRecord>> partitions, List<FirehoseErrorRecord> errors) {
    if (partitions.size() <= spec.maxActivePartitions()) {
      return;
    }
    long now = System.currentTimeMillis();
    int admitted = 0;
    for (var it = partitions.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, List<FirehoseRecord>> partition = it.next();
      if (++admitted <= spec.maxActivePartitions()) {
        continue;
      }
      for (FirehoseRecord record : partition.getValue()) {
        errors.add(FirehoseErrorRecord.of(FirehoseErrorRecord.PARTITIONING_FAILED, 1,
            record.approximateArrivalTimestamp().getMillis(), AdmitPartitionsFn.LIMIT_EXCEEDED,
            "The number of active partitions is over the limit of " + spec.maxActivePartitions(), now,
            record.data(), null));
      }
      it.remove();
    }
  }

  private void transformAll(List<FirehoseRecord> buffer, Map<String, List<FirehoseRecord>> partitions,
      List<FirehoseErrorRecord> errors) throws InterruptedException {
    List<FirehoseRecord> batch = new ArrayList<>();
    long bytes = 0;
    for (FirehoseRecord record : buffer) {
      if (!batch.isEmpty() && (batch.size() >= spec.transformationBatchRecords()
          || bytes + record.data().length > TRANSFORMATION_BATCH_BYTES)) {
        transform(batch, partitions, errors);
        batch = new ArrayList<>();
        bytes = 0;
      }
      batch.add(record);
      bytes += record.data().length;
    }
    if (!batch.isEmpty()) {
      transform(batch, partitions, errors);
    }
  }

  /** One batch through the transformer with the transform's retries, then routed. */
  private void transform(List<FirehoseRecord> batch, Map<String, List<FirehoseRecord>> partitions,
      List<FirehoseErrorRecord> errors) throws InterruptedException {
    RecordTransformer transformer = spec.recordTransformer();
    Map<String, FirehoseRecord> byId = new LinkedHashMap<>();
    List<TransformationRecord> inputs = new ArrayList<>(batch.size());
    for (FirehoseRecord record : batch) {
      String id = record.recordId() == null || byId.containsKey(record.recordId())
          ? UUID.randomUUID().toString() : record.recordId();
      byId.put(id, record);
      inputs.add(TransformationRecord.of(id, record.data(), record.approximateArrivalTimestamp()));
    }
    TransformerCall call = TransformerCall.run(spec, inputs, byId);
    if (call.succeeded()) {
      routeResults(call.results(), byId, call.attempts(), transformer.functionArn(), partitions, errors);
      return;
    }
    for (FirehoseRecord record : byId.values()) {
      errors.add(FirehoseErrorRecord.of(FirehoseErrorRecord.PROCESSING_FAILED, call.attempts(),
          record.approximateArrivalTimestamp().getMillis(), call.code(), call.message(), call.endedMillis(),
          record.data(), transformer.functionArn()));
    }
  }

  private void routeResults(Map<String, TransformationResult> results, Map<String, FirehoseRecord> inputs,
      int attempts, String functionArn, Map<String, List<FirehoseRecord>> partitions,
      List<FirehoseErrorRecord> errors) {
    long now = System.currentTimeMillis();
    for (Map.Entry<String, FirehoseRecord> input : inputs.entrySet()) {
      TransformationResult result = results.get(input.getKey());
      FirehoseRecord record = input.getValue();
      if (result.result() == Status.DROPPED) {
        continue;
      }
      if (result.result() == Status.PROCESSING_FAILED) {
        errors.add(FirehoseErrorRecord.of(FirehoseErrorRecord.PROCESSING_FAILED, attempts,
            record.approximateArrivalTimestamp().getMillis(), TransformFn.PROCESSING_FAILED,
            "The transformation function returned ProcessingFailed for this record", now, record.data(),
            functionArn));
        continue;
      }
      Map<String, String> lambdaKeys = new HashMap<>();
      String missing = null;
      for (String key : prefixes.data().lambdaKeys()) {
        String value = result.partitionKeys().get(key);
        if (value == null) {
          missing = key;
          break;
        }
        lambdaKeys.put(DeliveryKey.lambdaKey(key), value);
      }
      if (missing != null) {
        errors.add(FirehoseErrorRecord.of(FirehoseErrorRecord.PARTITIONING_FAILED, 1,
            record.approximateArrivalTimestamp().getMillis(), TransformFn.MISSING_LAMBDA_KEY,
            "The transformation function returned no partition key " + missing, now, record.data(), functionArn));
        continue;
      }
      route(record.withData(result.data()), lambdaKeys, partitions, errors);
    }
  }

  private void route(FirehoseRecord record, Map<String, String> lambdaKeys,
      Map<String, List<FirehoseRecord>> partitions, List<FirehoseErrorRecord> errors) {
    Map<String, String> keys = new HashMap<>(lambdaKeys);
    try {
      keys.putAll(queries.extract(record.data()));
    } catch (PartitionKeyQueries.ExtractionException e) {
      errors.add(FirehoseErrorRecord.of(FirehoseErrorRecord.PARTITIONING_FAILED, 1,
          record.approximateArrivalTimestamp().getMillis(), TransformFn.METADATA_EXTRACTION_FAILED, e.getMessage(),
          System.currentTimeMillis(), record.data(), null));
      return;
    }
    partitions.computeIfAbsent(DeliveryKey.data(keys).encode(), k -> new ArrayList<>()).add(record);
  }

  @Override
  public void close() throws IOException {
    try {
      objects.close();
    } finally {
      if (batches != null) {
        batches.close();
      }
    }
  }
}
