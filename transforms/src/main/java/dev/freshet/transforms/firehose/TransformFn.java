package dev.freshet.transforms.firehose;

import dev.freshet.transforms.firehose.TransformationResult.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first stage of delivery: runs the record transformer (if any) over batches of a bundle,
 * extracts the partition keys, and emits each record keyed by its destination partition, or as an
 * error record.
 */
final class TransformFn extends DoFn<FirehoseRecord, KV<String, FirehoseRecord>> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(TransformFn.class);
  private static final long BATCH_BYTES = 1L << 20;

  static final String FUNCTION_ERROR = "Lambda.FunctionError";
  static final String MISSING_RECORD_ID = "Lambda.MissingRecordId";
  static final String DUPLICATED_RECORD_ID = "Lambda.DuplicatedRecordId";
  static final String PROCESSING_FAILED = "Lambda.ProcessingFailed";
  static final String METADATA_EXTRACTION_FAILED = "DynamicPartitioning.MetadataExtractionFailed";
  static final String MISSING_LAMBDA_KEY = "DynamicPartitioning.MissingPartitionKeyFromLambda";

  private final FirehoseDelivery.Write spec;
  private final PartitionKeyQueries queries;
  private final List<String> lambdaKeys;
  private final TupleTag<KV<String, FirehoseRecord>> dataTag;
  private final TupleTag<FirehoseErrorRecord> errorTag;

  private transient @Nullable List<Pending> pending;
  /** Checks records against the schema when the data is converted to Parquet or ORC. */
  private transient @Nullable ColumnarWriter conversion;

  /** A record waiting for the transformer, with where it came from. */
  private record Pending(FirehoseRecord record, Instant timestamp, BoundedWindow window) {}

  /** Where results go: the element's receiver, or the bundle's end. */
  private interface Emitter {
    void data(KV<String, FirehoseRecord> record, Instant timestamp, BoundedWindow window);

    void error(FirehoseErrorRecord error, Instant timestamp, BoundedWindow window);
  }

  /** The transformer broke the contract: the batch failed as a whole. */
  static final class ContractException extends Exception {
    private static final long serialVersionUID = 1L;
    final String code;

    ContractException(String code, String message) {
      super(message);
      this.code = code;
    }
  }

  TransformFn(FirehoseDelivery.Write spec, PrefixExpression dataPrefix,
      TupleTag<KV<String, FirehoseRecord>> dataTag, TupleTag<FirehoseErrorRecord> errorTag) {
    this.spec = spec;
    this.queries = new PartitionKeyQueries(spec.partitionKeyQueries());
    this.lambdaKeys = List.copyOf(dataPrefix.lambdaKeys());
    this.dataTag = dataTag;
    this.errorTag = errorTag;
  }

  @Setup
  public void setup() {
    if (spec.dataFormatConversion() != null) {
      conversion = new ColumnarWriter(spec.dataFormatConversion());
    }
  }

  @StartBundle
  public void startBundle() {
    pending = new ArrayList<>();
  }

  @ProcessElement
  public void process(@Element FirehoseRecord record, @Timestamp Instant timestamp, BoundedWindow window,
      MultiOutputReceiver out) throws InterruptedException {
    if (spec.recordTransformer() == null) {
      route(record, Map.of(), timestamp, window, new Emitter() {
        @Override
        public void data(KV<String, FirehoseRecord> kv, Instant ts, BoundedWindow w) {
          out.get(dataTag).output(kv);
        }

        @Override
        public void error(FirehoseErrorRecord error, Instant ts, BoundedWindow w) {
          out.get(errorTag).output(error);
        }
      });
      return;
    }
    pending.add(new Pending(record.recordId() == null ? record.withRecordId(UUID.randomUUID().toString()) : record,
        timestamp, window));
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) throws InterruptedException {
    if (pending == null || pending.isEmpty()) {
      return;
    }
    Emitter emitter = new Emitter() {
      @Override
      public void data(KV<String, FirehoseRecord> kv, Instant ts, BoundedWindow w) {
        context.output(dataTag, kv, ts, w);
      }

      @Override
      public void error(FirehoseErrorRecord error, Instant ts, BoundedWindow w) {
        context.output(errorTag, error, ts, w);
      }
    };
    List<Pending> batch = new ArrayList<>();
    long bytes = 0;
    for (Pending p : pending) {
      if (!batch.isEmpty() && (batch.size() >= spec.transformationBatchRecords()
          || bytes + p.record().data().length > BATCH_BYTES)) {
        transform(batch, emitter);
        batch = new ArrayList<>();
        bytes = 0;
      }
      batch.add(p);
      bytes += p.record().data().length;
    }
    transform(batch, emitter);
    pending = null;
  }

  /** One batch through the transformer, with retries, then routed. */
  private void transform(List<Pending> batch, Emitter emitter) throws InterruptedException {
    RecordTransformer transformer = spec.recordTransformer();
    List<TransformationRecord> inputs = new ArrayList<>(batch.size());
    Map<String, Pending> byId = new LinkedHashMap<>();
    for (Pending p : batch) {
      String id = p.record().recordId();
      if (byId.containsKey(id)) {
        // Ids come from the input (stream sequence numbers are unique); a repeat gets a fresh one.
        id = UUID.randomUUID().toString();
        p = new Pending(p.record().withRecordId(id), p.timestamp(), p.window());
      }
      byId.put(id, p);
      inputs.add(TransformationRecord.of(id, p.record().data(), p.record().approximateArrivalTimestamp()));
    }
    TransformerCall call = TransformerCall.run(spec, inputs, byId);
    if (call.succeeded()) {
      deliverResults(call.results(), byId, call.attempts(), transformer.functionArn(), emitter);
      return;
    }
    for (Pending p : byId.values()) {
      emitter.error(FirehoseErrorRecord.of(FirehoseErrorRecord.PROCESSING_FAILED, call.attempts(),
          p.record().approximateArrivalTimestamp().getMillis(), call.code(), call.message(), call.endedMillis(),
          p.record().data(), transformer.functionArn()), p.timestamp(), p.window());
    }
  }

  /** The results by id, if they answer every input exactly once (also used by {@link DeliveryEngine}). */
  static Map<String, TransformationResult> check(@Nullable List<TransformationResult> results,
      Map<String, ?> inputs) throws ContractException {
    if (results == null) {
      throw new ContractException(MISSING_RECORD_ID, "The transformation function returned no records");
    }
    Map<String, TransformationResult> byId = new HashMap<>();
    for (TransformationResult result : results) {
      if (!inputs.containsKey(result.recordId())) {
        throw new ContractException(MISSING_RECORD_ID,
            "The transformation function returned record id " + result.recordId() + ", which was not in its input");
      }
      if (byId.put(result.recordId(), result) != null) {
        throw new ContractException(DUPLICATED_RECORD_ID,
            "The transformation function returned record id " + result.recordId() + " more than once");
      }
    }
    if (byId.size() != inputs.size()) {
      throw new ContractException(MISSING_RECORD_ID, "The transformation function returned "
          + byId.size() + " of " + inputs.size() + " record ids");
    }
    return byId;
  }

  private void deliverResults(Map<String, TransformationResult> results, Map<String, Pending> inputs,
      int attempts, String functionArn, Emitter emitter) {
    long now = System.currentTimeMillis();
    for (Map.Entry<String, Pending> input : inputs.entrySet()) {
      TransformationResult result = results.get(input.getKey());
      Pending p = input.getValue();
      if (result.result() == Status.DROPPED) {
        continue;
      }
      if (result.result() == Status.PROCESSING_FAILED) {
        emitter.error(FirehoseErrorRecord.of(FirehoseErrorRecord.PROCESSING_FAILED, attempts,
            p.record().approximateArrivalTimestamp().getMillis(), PROCESSING_FAILED,
            "The transformation function returned ProcessingFailed for this record", now,
            p.record().data(), functionArn), p.timestamp(), p.window());
        continue;
      }
      Map<String, String> lambdaKeyValues = new HashMap<>();
      for (String key : lambdaKeys) {
        String value = result.partitionKeys().get(key);
        if (value == null) {
          emitter.error(FirehoseErrorRecord.of(FirehoseErrorRecord.PARTITIONING_FAILED, 1,
              p.record().approximateArrivalTimestamp().getMillis(), MISSING_LAMBDA_KEY,
              "The transformation function returned no partition key " + key, now,
              p.record().data(), functionArn), p.timestamp(), p.window());
          lambdaKeyValues = null;
          break;
        }
        lambdaKeyValues.put(DeliveryKey.lambdaKey(key), value);
      }
      if (lambdaKeyValues != null) {
        route(p.record().withData(result.data()), lambdaKeyValues, p.timestamp(), p.window(), emitter);
      }
    }
  }

  /** Extracts the query keys and emits the record under its partition, or as an error. */
  private void route(FirehoseRecord record, Map<String, String> lambdaKeys, Instant timestamp,
      BoundedWindow window, Emitter emitter) {
    Map<String, String> keys;
    try {
      Map<String, String> queried = queries.extract(record.data());
      if (lambdaKeys.isEmpty()) {
        keys = queried;
      } else {
        keys = new HashMap<>(lambdaKeys);
        keys.putAll(queried);
      }
    } catch (PartitionKeyQueries.ExtractionException e) {
      emitter.error(FirehoseErrorRecord.of(FirehoseErrorRecord.PARTITIONING_FAILED, 1,
          record.approximateArrivalTimestamp().getMillis(), METADATA_EXTRACTION_FAILED, e.getMessage(),
          System.currentTimeMillis(), record.data(), null), timestamp, window);
      return;
    }
    if (conversion != null) {
      try {
        conversion.read(record.data());
      } catch (JsonRecords.ConversionException e) {
        emitter.error(FirehoseErrorRecord.of(DataFormatConversion.FORMAT_CONVERSION_FAILED, 1,
            record.approximateArrivalTimestamp().getMillis(), e.code, e.getMessage(),
            System.currentTimeMillis(), record.data(), null), timestamp, window);
        return;
      }
    }
    String key = keys.isEmpty() ? DeliveryKey.UNPARTITIONED_DATA : DeliveryKey.data(keys).encode();
    emitter.data(KV.of(key, FirehoseRecord.unchecked(record.data(),
        record.approximateArrivalTimestamp())), timestamp, window);
  }
}
