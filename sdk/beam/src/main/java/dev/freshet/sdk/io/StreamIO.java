package dev.freshet.sdk.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import dev.freshet.sdk.producer.ProducerConfig;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StartingPosition;
import java.math.BigInteger;
import java.net.URI;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.jspecify.annotations.Nullable;
import org.joda.time.Duration;

/**
 * Reads and writes Freshet streams (and any Kinesis Data Streams endpoint) from Beam pipelines.
 *
 * <h2>Reading</h2>
 *
 * <pre>{@code
 * PCollection<StreamRecord> clicks = pipeline.apply(StreamIO.read()
 *     .withStream("clickstream")                                  // required
 *     .withEndpoint(URI.create("file:///var/lib/freshet"))        // required: file: embedded, http(s): a server
 *     .withStartingPosition(StartingPosition.trimHorizon())       // default: latest
 *     .withWatermarkPolicy(WatermarkPolicy.arrivalTime()));       // default
 * }</pre>
 *
 * <p>The source splits by shard: each split reads some of the shards open at the starting position,
 * and later the children of those shards. With {@link Read#withConsumer(String)} it reads through
 * enhanced fan-out (records pushed as they are written) instead of polling GetRecords.
 *
 * <p><b>Resharding.</b> A closed shard is read to its end before its children are read by the same
 * split, so per key, records come out in the order they were written. A child made by merging shards
 * of two different splits is read by the split of its lower-numbered parent; Beam gives no order
 * between splits, but the watermark (the minimum over all splits) still waits for both parents.
 *
 * <p><b>Watermarks.</b> See {@link WatermarkPolicy}: by default a record's timestamp is its arrival
 * time, a split's watermark is the minimum over its shards, and a caught-up idle shard stops holding
 * it back after the idle threshold. The runner also gets the backlog in bytes, estimated from each
 * shard's lag and the stream's write rate.
 *
 * <p><b>Checkpointing and delivery.</b> A split's {@link StreamCheckpointMark} holds, per shard, the
 * last record handed downstream; restoring it resumes right after that record (inside a KPL
 * aggregate, after that user record). The source itself therefore never repeats a record and does
 * not ask the runner to deduplicate ({@link StreamRecord#uniqueId()} is given anyway). End to end,
 * what a runner makes of it is up to the runner: exactly-once with Flink checkpoints, at-least-once
 * with a sink that is not idempotent.
 *
 * <p><b>Throttling.</b> A throttled or transiently failing shard backs off exponentially ({@link
 * Read#withThrottlingBackoff}) without failing the pipeline; other shards keep going. An empty shard
 * is polled again after the poll interval (default 200 ms for http(s) endpoints, the service's 5 calls
 * per second, and 20 ms for the embedded store). A shard that is behind is read one GetRecords call
 * ahead, on a thread of the reader, while the runner takes the records of the previous call.
 *
 * <p><b>Aggregated records.</b> Records packed by the Kinesis Producer Library (or by {@link
 * Write#withAggregation(boolean)}) are unpacked into their user records, each with its sub-sequence
 * number.
 *
 * <p><b>Throughput on the Direct runner.</b> Beam's Direct runner takes at most 10 elements from an
 * unbounded source per bundle (and its splittable-DoFn read, {@code --experiments=use_sdf_read},
 * at most 100 per call and 1 s), and every bundle goes through its scheduler and watermark
 * bookkeeping; one record per element would hold a read to a few tens of thousands of records per
 * second. So on the Direct runner an unbounded read hands downstream batches of up to 10,000
 * records, whatever the reader has at hand without waiting, and a step inside this transform
 * ({@code ExpandBatches}) outputs each record at its own timestamp ({@code bench/streamio.sh} on
 * two busy cores: about 390,000 records/s from the embedded store and 170,000 through {@code
 * freshet server}, against at most 24,000 and 5,000 one record per element). Watermarks, checkpoints
 * (taken between batches, so a restored mark still resumes right after the last record handed
 * downstream), {@link Read#withStopReadingAt} and de-aggregation are as with one record per
 * element, and on other runners (Flink) the read is one record per element as before. What is
 * left is the Direct runner's cost per element in each later step: for speed, pass {@code
 * --enforceImmutability=false --enforceEncodability=false} (these checks encode every element;
 * tests want them on), and keep {@code --targetParallelism} near the number of cores. A read
 * bounded by {@link Read#withMaxNumRecords} or {@link Read#withMaxReadTime} goes through Beam's
 * bounded wrapper, which reads each split in one go and is not batched.
 *
 * <h2>Writing</h2>
 *
 * <pre>{@code
 * clicks
 *     .apply(MapElements.into(TypeDescriptors.strings()).via(StreamRecord::dataAsString))
 *     .apply(StreamIO.<String>write()
 *         .withStream("clicks-copy")                                 // required; the stream must exist
 *         .withEndpoint(URI.create("file:///var/lib/freshet"))       // required
 *         .withPartitionKey(json -> userOf(json))                    // required (or withExplicitHashKey)
 *         .withSerializer(json -> json.getBytes(UTF_8))              // required
 *         .withAggregation(true));                                   // default false
 *
 * // A copy of a stream, keeping partition keys and data:
 * clicks.apply(StreamIO.writeRecords().withStream("clicks-copy").withEndpoint(uri));
 * }</pre>
 *
 * <p>Each writer instance sends its elements through one {@link
 * dev.freshet.sdk.producer.StreamProducer}: PutRecords batches of up to 500 records and 5 MiB, sent
 * when full, after a short linger, or at the end of the bundle. Records of one partition key keep
 * their order within their shard unless a retry overtakes them.
 *
 * <p><b>Throttling and failures.</b> Only the entries a batch refused with
 * ProvisionedThroughputExceeded or InternalFailure are sent again, after an exponential back-off
 * ({@link Write#withRetries}). Any other error (a missing stream, a bad key), or a record out of
 * attempts, fails its bundle with the stream, the partition key and the error code; a failure
 * noticed while the bundle is still running fails it at the next element. At the end of every bundle
 * the writer flushes and waits for every record of the bundle: if a bundle did not fail, all of its
 * records are in the stream. When too many records are in flight ({@link
 * Write#withMaxInFlightRecords}), the writer waits, which slows the pipeline to the stream's pace.
 *
 * <p><b>Delivery guarantee: at-least-once, or exactly-once with idempotent ids.</b> A bundle that
 * fails is retried by the runner (and a Flink job restarts from its last checkpoint), and its
 * records are written again, including those the stream had already taken. Kinesis has no
 * idempotent put, so a plain write is at-least-once. A Freshet store (embedded, or behind {@code
 * freshet server}) has one: with {@link Write#withIdempotentIds}, every record is sent with a
 * producer id and sequence, and the store writes each into its shard once, answering a repeat with
 * the original's sequence number. For records read by {@link #read()}, {@link
 * WriteId#fromSource(StreamRecord)} derives the id from the record's source position (stream,
 * shard, sequence and sub-sequence number), the same in every run:
 *
 * <pre>{@code
 * clicks.apply(StreamIO.writeRecords().withStream("clicks-copy").withEndpoint(uri)
 *     .withIdempotentIds(WriteId::fromSource));                      // exactly-once into clicks-copy
 * }</pre>
 *
 * <p>The ids make a rewrite harmless only if it is the same record with the same id: the steps
 * between read and write must be deterministic, the repeat must come within the target's
 * retention, the write must not aggregate, and each producer's ids must reach a shard in
 * increasing order within 2,048 records (true without a shuffle between read and write). Without
 * ids, or for other sinks, make the duplicates harmless downstream: carry the source record's
 * {@link StreamRecord#uniqueId()} (or another id of the event) in the data and deduplicate on it
 * when reading, or write to the final sink idempotently, keyed by that id.
 *
 * <h2>Delivery guarantees on Flink</h2>
 *
 * <p>With Flink checkpointing on ({@code --checkpointingInterval=1000}, exactly-once mode, the
 * default) and a restart strategy ({@code --numberOfExecutionRetries=3
 * --executionRetryDelay=200}), a {@code read() → ... → write()} job behaves as follows when a task
 * fails:
 *
 * <ul>
 *   <li><b>Reading: exactly-once into Flink's state.</b> Each checkpoint stores every split's
 *       {@link StreamCheckpointMark} (per shard, the last record handed downstream). The restarted
 *       job restores the marks of the last completed checkpoint and resumes right after those
 *       records; everything downstream is rolled back to the same checkpoint, so no record is
 *       counted twice in Flink state (windows, counts, joins).
 *   <li><b>Writing with {@link Write#withIdempotentIds}: exactly-once.</b> The writer flushes and
 *       waits for its records at the end of every bundle, and Beam's Flink runner ends the open
 *       bundles while it takes a checkpoint, so everything before a checkpoint is in the target
 *       stream when the checkpoint completes. The records written after the last completed
 *       checkpoint and before the failure are read again and written again with the same ids, and
 *       the store does not store them twice: the target holds every record once.
 *   <li><b>Writing without ids: at-least-once.</b> Those records are stored a second time; the
 *       duplicates are bounded by what one checkpoint interval writes. Deduplicate on an id carried
 *       in each record where the target stream is consumed.
 * </ul>
 *
 * <p>{@code StreamIOFlinkFaultToleranceIT} checks this: a job copying stream A to B on embedded
 * Flink with idempotent ids, checkpointing every second, fails once mid-stream and restarts from
 * its checkpoint; compared without deduplication, B holds every record of A exactly once, while the
 * store answered the restarted job's rewrites as repeats. {@code docs/streamio-on-flink.md} lists
 * the conditions in full. With checkpointing, also pass {@code --shutdownSourcesAfterIdleMs=0} if a
 * bounded read or {@link Read#withStopReadingAt} is to end the job: otherwise Beam keeps finished
 * sources idle so that checkpoints can continue.
 */
public final class StreamIO {
  private StreamIO() {}

  /** A read of a stream; set at least the stream and the endpoint. */
  public static Read read() {
    return new AutoValue_StreamIO_Read.Builder()
        .setStartingPosition(StartingPosition.latest())
        .setWatermarkPolicy(WatermarkPolicy.arrivalTime())
        .setMaxNumRecords(Long.MAX_VALUE)
        .setRecordsPerRequest(10_000)
        .setThrottlingBackoffInitial(Duration.millis(100))
        .setThrottlingBackoffMax(Duration.standardSeconds(5))
        .setDeaggregate(true)
        .build();
  }

  /**
   * A write of a {@code PCollection<T>} to a stream; set at least the stream, the endpoint, the
   * serializer and the partition key (or explicit hash key) function.
   */
  public static <T> Write<T> write() {
    return new AutoValue_StreamIO_Write.Builder<T>()
        .setAggregation(false)
        .setMaxBatchRecords(ProducerConfig.MAX_BATCH_RECORDS)
        .setMaxBatchBytes(ProducerConfig.MAX_BATCH_BYTES)
        .setMaxAttempts(10)
        .setInitialBackoff(Duration.millis(100))
        .setMaxBackoff(Duration.standardSeconds(5))
        .setMaxInFlightRecords(100_000)
        .build();
  }

  /**
   * A write of records read by {@link #read()}, keeping each record's partition key and data, so
   * that copying a stream is {@code records.apply(StreamIO.writeRecords().withStream(..).withEndpoint(..))}.
   * Set the stream and the endpoint; the other settings are those of {@link #write()}. Records come
   * from a read de-aggregated, so each user record is written as its own record unless {@link
   * Write#withAggregation(boolean)} packs them again.
   */
  public static Write<StreamRecord> writeRecords() {
    return StreamIO.<StreamRecord>write()
        .withPartitionKey(StreamRecord::partitionKey)
        .withSerializer(StreamRecord::data);
  }

  /**
   * A read whose JSON or CSV payloads become Beam {@link Row}s of {@code schema}. A record that does
   * not parse fails the pipeline with an error naming the stream, shard, sequence number and field.
   */
  public static ReadRows readRows(Schema schema, RowFormat format) {
    checkNotNull(schema, "schema");
    checkNotNull(format, "format");
    return new ReadRows(read(), schema, format);
  }

  /** The transform of {@link #read()}. */
  @AutoValue
  public abstract static class Read extends PTransform<PBegin, PCollection<StreamRecord>> {
    private static final long serialVersionUID = 1L;
    private static final String DIRECT_RUNNER = "org.apache.beam.runners.direct.DirectRunner";

    /**
     * The most records in one element of the batched read on the Direct runner, which takes 10
     * elements per bundle: up to 100,000 records a bundle. As many as one GetRecords call returns
     * by default; 10,000 read about 1.2 times as fast as 4,000 and 1.5 to 2 times as fast as 1,000
     * here (bench/streamio.sh's Direct phases).
     */
    static final int DIRECT_BATCH_RECORDS = 10_000;

    abstract @Nullable String streamName();

    abstract @Nullable URI endpoint();

    abstract StartingPosition startingPosition();

    abstract WatermarkPolicy watermarkPolicy();

    abstract @Nullable String consumerName();

    abstract long maxNumRecords();

    abstract @Nullable Duration maxReadTime();

    abstract @Nullable Duration pollInterval();

    abstract int recordsPerRequest();

    abstract Duration throttlingBackoffInitial();

    abstract Duration throttlingBackoffMax();

    abstract boolean deaggregate();

    abstract org.joda.time.@Nullable Instant stopReadingAt();

    abstract Builder toBuilder();

    @AutoValue.Builder
    abstract static class Builder {
      abstract Builder setStreamName(String value);

      abstract Builder setEndpoint(URI value);

      abstract Builder setStartingPosition(StartingPosition value);

      abstract Builder setWatermarkPolicy(WatermarkPolicy value);

      abstract Builder setConsumerName(@Nullable String value);

      abstract Builder setMaxNumRecords(long value);

      abstract Builder setMaxReadTime(@Nullable Duration value);

      abstract Builder setPollInterval(@Nullable Duration value);

      abstract Builder setRecordsPerRequest(int value);

      abstract Builder setThrottlingBackoffInitial(Duration value);

      abstract Builder setThrottlingBackoffMax(Duration value);

      abstract Builder setDeaggregate(boolean value);

      abstract Builder setStopReadingAt(org.joda.time.@Nullable Instant value);

      abstract Read build();
    }

    /** The stream to read, by name (1 to 128 of {@code a-zA-Z0-9_.-}). Required. */
    public Read withStream(String streamName) {
      checkArgument(streamName != null && streamName.matches("[a-zA-Z0-9_.-]{1,128}"),
          "streamName must be 1 to 128 characters of a-zA-Z0-9_.-, but was: %s", streamName);
      return toBuilder().setStreamName(streamName).build();
    }

    /**
     * Where the stream lives. Required. {@code file:///path} opens the embedded store in that data
     * folder (shared with everything else in this JVM); {@code http://host:port} or {@code https://}
     * talks the Kinesis API to {@code freshet server} or any Kinesis endpoint.
     */
    public Read withEndpoint(URI endpoint) {
      checkNotNull(endpoint, "endpoint");
      checkArgument(endpoint.getScheme() != null, "endpoint must have a scheme (file:, http:, https:), but was: %s", endpoint);
      return toBuilder().setEndpoint(endpoint).build();
    }

    /**
     * Where to start in every shard open there: {@link StartingPosition#trimHorizon()} (the oldest
     * record), {@link StartingPosition#latest()} (only new records; the default) or {@link
     * StartingPosition#atTimestamp}. A restored checkpoint overrides it.
     */
    public Read withStartingPosition(StartingPosition position) {
      checkNotNull(position, "position");
      checkArgument(position.sequenceNumber() == null,
          "a stream-wide read starts at trim horizon, latest or a timestamp, but was: %s", position);
      return toBuilder().setStartingPosition(position).build();
    }

    /** How records are timestamped and the watermark advances; default {@link WatermarkPolicy#arrivalTime()}. */
    public Read withWatermarkPolicy(WatermarkPolicy policy) {
      checkNotNull(policy, "policy");
      return toBuilder().setWatermarkPolicy(policy).build();
    }

    /**
     * Reads through enhanced fan-out as this consumer (registered on first use): records are pushed
     * as they are written, with a read pipe of its own. Default: polling GetRecords.
     */
    public Read withConsumer(String consumerName) {
      checkArgument(consumerName != null && consumerName.matches("[a-zA-Z0-9_.-]{1,128}"),
          "consumerName must be 1 to 128 characters of a-zA-Z0-9_.-, but was: %s", consumerName);
      return toBuilder().setConsumerName(consumerName).build();
    }

    /**
     * Stops after this many records, making the read bounded. At least 1; default unbounded. A
     * count-bounded read uses one split over all shards, so the count is exact however the records
     * are spread over the shards.
     */
    public Read withMaxNumRecords(long maxNumRecords) {
      checkArgument(maxNumRecords >= 1, "maxNumRecords must be at least 1, but was: %s", maxNumRecords);
      return toBuilder().setMaxNumRecords(maxNumRecords).build();
    }

    /** Stops after reading for this long, making the read bounded. Positive; default unbounded. */
    public Read withMaxReadTime(Duration maxReadTime) {
      checkArgument(maxReadTime != null && maxReadTime.isLongerThan(Duration.ZERO),
          "maxReadTime must be positive, but was: %s", maxReadTime);
      return toBuilder().setMaxReadTime(maxReadTime).build();
    }

    /**
     * How long an empty shard waits before it is polled again (not used with a consumer). Between 1
     * ms and 10 s; default 200 ms for http(s) endpoints (the service allows 5 reads per second per
     * shard) and 20 ms for the embedded store.
     */
    public Read withPollInterval(Duration interval) {
      checkArgument(interval != null && interval.getMillis() >= 1 && interval.getMillis() <= 10_000,
          "pollInterval must be between 1 ms and 10 s, but was: %s", interval);
      return toBuilder().setPollInterval(interval).build();
    }

    /** Records per GetRecords call, 1 to 10,000; default 10,000. */
    public Read withRecordsPerRequest(int records) {
      checkArgument(records >= 1 && records <= 10_000,
          "recordsPerRequest must be between 1 and 10000, but was: %s", records);
      return toBuilder().setRecordsPerRequest(records).build();
    }

    /**
     * The back-off of a throttled or transiently failing shard: exponential with jitter from {@code
     * initial} up to {@code max}. Default 100 ms to 5 s.
     */
    public Read withThrottlingBackoff(Duration initial, Duration max) {
      checkArgument(initial != null && initial.getMillis() >= 1, "initial back-off must be at least 1 ms, but was: %s", initial);
      checkArgument(max != null && !max.isShorterThan(initial),
          "max back-off must be at least the initial %s, but was: %s", initial, max);
      return toBuilder().setThrottlingBackoffInitial(initial).setThrottlingBackoffMax(max).build();
    }

    /** Whether KPL aggregates are unpacked into user records; default true. */
    public Read withDeaggregation(boolean deaggregate) {
      return toBuilder().setDeaggregate(deaggregate).build();
    }

    /**
     * Reads every record that arrived before {@code stopAt}, then finishes: a shard is done when it
     * meets a record that arrived later, or when it is caught up and the clock is past {@code
     * stopAt}. The source then reports its watermark at the end of time, which closes every window
     * and lets a streaming pipeline finish by itself — on any runner, with windows firing live
     * until then, and however far behind the reader is. For demos, tests and replays of a time
     * range; default: read forever.
     */
    public Read withStopReadingAt(org.joda.time.Instant stopAt) {
      checkNotNull(stopAt, "stopAt");
      return toBuilder().setStopReadingAt(stopAt).build();
    }

    /**
     * Whether the pipeline runs on Beam's Direct runner (or a runner derived from it), by name:
     * freshet-beam does not depend on the Direct runner.
     */
    static boolean isDirectRunner(PipelineOptions options) {
      for (Class<?> runner = options.getRunner(); runner != null; runner = runner.getSuperclass()) {
        if (runner.getName().equals(DIRECT_RUNNER)) {
          return true;
        }
      }
      return false;
    }

    Duration effectivePollInterval() {
      Duration interval = pollInterval();
      if (interval != null) {
        return interval;
      }
      return "file".equalsIgnoreCase(endpoint().getScheme()) ? Duration.millis(20) : Duration.millis(200);
    }

    @Override
    public PCollection<StreamRecord> expand(PBegin input) {
      checkArgument(streamName() != null, "StreamIO.read() needs withStream(name)");
      checkArgument(endpoint() != null, "StreamIO.read() needs withEndpoint(uri), such as file:///path/to/data or http://localhost:4567");
      checkArgument(!throttlingBackoffMax().isShorterThan(throttlingBackoffInitial()),
          "max back-off %s is shorter than the initial %s", throttlingBackoffMax(), throttlingBackoffInitial());
      if (maxNumRecords() == Long.MAX_VALUE && maxReadTime() == null) {
        if (isDirectRunner(input.getPipeline().getOptions())) {
          // The Direct runner takes 10 elements per bundle from an unbounded source, so each element
          // carries a batch. Other runners keep one record per element, and with it the shape of
          // their saved state (a Flink savepoint holds this source's splits).
          return input
              .apply("ReadBatches", org.apache.beam.sdk.io.Read.from(
                  new BatchedStreamSource(new StreamSource(this, null), DIRECT_BATCH_RECORDS)))
              .apply("ExpandBatches", ParDo.of(new ExpandBatchFn()))
              .setCoder(StreamRecordCoder.of());
        }
        return input.apply(org.apache.beam.sdk.io.Read.from(new StreamSource(this, null)));
      }
      // Beam's bounded wrapper divides maxNumRecords evenly between the source's splits, and a split
      // whose shards hold fewer records would then wait forever; one split over all shards makes
      // the count exact.
      org.apache.beam.sdk.io.BoundedReadFromUnboundedSource<StreamRecord> bounded =
          org.apache.beam.sdk.io.Read.from(new StreamSource(this, null, true)).withMaxNumRecords(maxNumRecords());
      if (maxReadTime() != null) {
        bounded = bounded.withMaxReadTime(maxReadTime());
      }
      return input.apply(bounded);
    }
  }

  /** The transform of {@link #write()}. */
  @AutoValue
  public abstract static class Write<T> extends PTransform<PCollection<T>, PDone> {
    private static final long serialVersionUID = 1L;

    /** The largest explicit hash key, 2^128 - 1. */
    private static final BigInteger MAX_HASH_KEY = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    abstract @Nullable String streamName();

    abstract @Nullable URI endpoint();

    abstract @Nullable SerializableFunction<T, String> partitionKeyFn();

    abstract @Nullable SerializableFunction<T, String> explicitHashKeyFn();

    abstract @Nullable SerializableFunction<T, byte[]> serializer();

    abstract boolean aggregation();

    abstract int maxBatchRecords();

    abstract long maxBatchBytes();

    abstract int maxAttempts();

    abstract Duration initialBackoff();

    abstract Duration maxBackoff();

    abstract int maxInFlightRecords();

    abstract @Nullable SerializableFunction<T, WriteId> writeIdFn();

    abstract Builder<T> toBuilder();

    @AutoValue.Builder
    abstract static class Builder<T> {
      abstract Builder<T> setStreamName(String value);

      abstract Builder<T> setEndpoint(URI value);

      abstract Builder<T> setPartitionKeyFn(SerializableFunction<T, String> value);

      abstract Builder<T> setExplicitHashKeyFn(SerializableFunction<T, String> value);

      abstract Builder<T> setSerializer(SerializableFunction<T, byte[]> value);

      abstract Builder<T> setAggregation(boolean value);

      abstract Builder<T> setMaxBatchRecords(int value);

      abstract Builder<T> setMaxBatchBytes(long value);

      abstract Builder<T> setMaxAttempts(int value);

      abstract Builder<T> setInitialBackoff(Duration value);

      abstract Builder<T> setMaxBackoff(Duration value);

      abstract Builder<T> setMaxInFlightRecords(int value);

      abstract Builder<T> setWriteIdFn(@Nullable SerializableFunction<T, WriteId> value);

      abstract Write<T> build();
    }

    /** The stream to write, by name (1 to 128 of {@code a-zA-Z0-9_.-}); it must exist. Required. */
    public Write<T> withStream(String streamName) {
      checkArgument(streamName != null && streamName.matches("[a-zA-Z0-9_.-]{1,128}"),
          "streamName must be 1 to 128 characters of a-zA-Z0-9_.-, but was: %s", streamName);
      return toBuilder().setStreamName(streamName).build();
    }

    /**
     * Where the stream lives. Required. {@code file:///path} opens the embedded store in that data
     * folder (shared with everything else in this JVM); {@code http://host:port} or {@code https://}
     * talks the Kinesis API to {@code freshet server} or any Kinesis endpoint.
     */
    public Write<T> withEndpoint(URI endpoint) {
      checkNotNull(endpoint, "endpoint");
      checkArgument(endpoint.getScheme() != null, "endpoint must have a scheme (file:, http:, https:), but was: %s", endpoint);
      return toBuilder().setEndpoint(endpoint).build();
    }

    /**
     * The partition key of each element (1 to 256 characters): it picks the shard, and records of
     * one key keep their order within it. Required, unless {@link #withExplicitHashKey} is set, in
     * which case the explicit hash key also serves as the partition key.
     */
    public Write<T> withPartitionKey(SerializableFunction<T, String> partitionKeyFn) {
      checkNotNull(partitionKeyFn, "partitionKeyFn");
      return toBuilder().setPartitionKeyFn(partitionKeyFn).build();
    }

    /**
     * The explicit hash key of each element, a decimal number from 0 to 2^128 - 1 that picks the
     * shard instead of the partition key's MD5 hash (to spread keys evenly, or pin them to a shard).
     * Optional; default: route by partition key.
     */
    public Write<T> withExplicitHashKey(SerializableFunction<T, String> explicitHashKeyFn) {
      checkNotNull(explicitHashKeyFn, "explicitHashKeyFn");
      return toBuilder().setExplicitHashKeyFn(explicitHashKeyFn).build();
    }

    /** The data of each element, at most 1 MiB. Required. */
    public Write<T> withSerializer(SerializableFunction<T, byte[]> serializer) {
      checkNotNull(serializer, "serializer");
      return toBuilder().setSerializer(serializer).build();
    }

    /**
     * Whether records predicted to land on the same shard are packed into KPL aggregates of up to 1
     * MiB (fewer, fuller PutRecords entries, and past the per-shard limit of 1,000 records per
     * second). Default false. Readers must de-aggregate: {@link StreamIO#read()} and the KCL do.
     */
    public Write<T> withAggregation(boolean aggregation) {
      return toBuilder().setAggregation(aggregation).build();
    }

    /** Records (or aggregates) per PutRecords call, 1 to 500; default 500. */
    public Write<T> withMaxBatchRecords(int maxBatchRecords) {
      checkArgument(maxBatchRecords >= 1 && maxBatchRecords <= ProducerConfig.MAX_BATCH_RECORDS,
          "maxBatchRecords must be between 1 and %s, but was: %s", ProducerConfig.MAX_BATCH_RECORDS, maxBatchRecords);
      return toBuilder().setMaxBatchRecords(maxBatchRecords).build();
    }

    /** Bytes (data and partition keys) per PutRecords call, 1 to 5 MiB (5,242,880); default 5 MiB. */
    public Write<T> withMaxBatchBytes(long maxBatchBytes) {
      checkArgument(maxBatchBytes >= 1 && maxBatchBytes <= ProducerConfig.MAX_BATCH_BYTES,
          "maxBatchBytes must be between 1 and %s, but was: %s", ProducerConfig.MAX_BATCH_BYTES, maxBatchBytes);
      return toBuilder().setMaxBatchBytes(maxBatchBytes).build();
    }

    /**
     * How records refused with ProvisionedThroughputExceeded or InternalFailure are retried: only
     * the refused entries are sent again, up to {@code maxAttempts} times in all (1 to 100; 1 means
     * no retry), waiting {@code initialBackoff} (at least 1 ms) before the first retry and doubling
     * up to {@code maxBackoff} (at least {@code initialBackoff}, at most 10 min). Default 10 attempts
     * from 100 ms to 5 s. A record that runs out of attempts fails its bundle; any other error fails
     * it at once.
     */
    public Write<T> withRetries(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
      checkArgument(maxAttempts >= 1 && maxAttempts <= 100,
          "maxAttempts must be between 1 and 100, but was: %s", maxAttempts);
      checkArgument(initialBackoff != null && initialBackoff.getMillis() >= 1,
          "initialBackoff must be at least 1 ms, but was: %s", initialBackoff);
      checkArgument(maxBackoff != null && !maxBackoff.isShorterThan(initialBackoff)
              && !maxBackoff.isLongerThan(Duration.standardMinutes(10)),
          "maxBackoff must be between the initialBackoff %s and 10 min, but was: %s", initialBackoff, maxBackoff);
      return toBuilder().setMaxAttempts(maxAttempts).setInitialBackoff(initialBackoff).setMaxBackoff(maxBackoff).build();
    }

    /**
     * Records sent but not yet acknowledged, per writer instance, before the writer waits: bounds
     * its memory and pushes back on the pipeline when the stream is slower than the input. At least
     * 1 and at least {@link #withMaxBatchRecords maxBatchRecords} (checked when applied); default
     * 100,000.
     */
    public Write<T> withMaxInFlightRecords(int maxInFlightRecords) {
      checkArgument(maxInFlightRecords >= 1,
          "maxInFlightRecords must be at least 1, but was: %s", maxInFlightRecords);
      return toBuilder().setMaxInFlightRecords(maxInFlightRecords).build();
    }

    /**
     * Makes the write idempotent: each element is sent with the producer id and sequence {@code
     * writeIdFn} gives it, and a Freshet store (embedded, or behind {@code freshet server}) stores a
     * record of a given id in its shard once, answering a repeat with the original's sequence
     * number. With ids that depend only on the element's position in the input, such as {@link
     * WriteId#fromSource(StreamRecord)} for records from {@link StreamIO#read()}, a Flink job that
     * restarts from a checkpoint and writes again what it wrote after that checkpoint stores
     * nothing twice: see "Delivery guarantee" in {@link StreamIO}. Default: none (plain writes,
     * at-least-once).
     *
     * <p>Requires a Freshet endpoint (the real service does not know producers) and no {@link
     * #withAggregation aggregation} (an aggregate's members depend on batching, so a replay would
     * not repeat it); both are checked when applied or when writing.
     */
    public Write<T> withIdempotentIds(SerializableFunction<T, WriteId> writeIdFn) {
      checkNotNull(writeIdFn, "writeIdFn");
      return toBuilder().setWriteIdFn(writeIdFn).build();
    }

    @Override
    public PDone expand(PCollection<T> input) {
      checkArgument(streamName() != null, "StreamIO.write() needs withStream(name)");
      checkArgument(endpoint() != null, "StreamIO.write() needs withEndpoint(uri), such as file:///path/to/data or http://localhost:4567");
      checkArgument(serializer() != null, "StreamIO.write() needs withSerializer(fn) to turn elements into bytes");
      checkArgument(partitionKeyFn() != null || explicitHashKeyFn() != null,
          "StreamIO.write() needs withPartitionKey(fn), or withExplicitHashKey(fn)");
      checkArgument(maxInFlightRecords() >= maxBatchRecords(),
          "maxInFlightRecords must be at least maxBatchRecords (%s), but was: %s", maxBatchRecords(), maxInFlightRecords());
      checkArgument(writeIdFn() == null || !aggregation(),
          "StreamIO.write() to stream %s cannot combine withIdempotentIds with withAggregation(true): an "
              + "aggregate's contents depend on batching, so a replay would not repeat it", streamName());
      input.apply("Write to " + streamName(), ParDo.of(new StreamWriterFn<>(this)));
      return PDone.in(input.getPipeline());
    }

    /** The producer settings of one writer. */
    ProducerConfig producerConfig() {
      java.time.Duration initial = java.time.Duration.ofMillis(initialBackoff().getMillis());
      java.time.Duration max = java.time.Duration.ofMillis(maxBackoff().getMillis());
      // The producer gives up on a record after its time to live even with attempts left; make that
      // long enough for every configured attempt, so withRetries alone decides.
      java.time.Duration backoffs = java.time.Duration.ZERO;
      java.time.Duration step = initial;
      for (int attempt = 1; attempt < maxAttempts(); attempt++) {
        backoffs = backoffs.plus(step);
        step = step.multipliedBy(2).compareTo(max) > 0 ? max : step.multipliedBy(2);
      }
      return ProducerConfig.builder()
          .setAggregation(aggregation())
          .setMaxBatchRecords(maxBatchRecords())
          .setMaxBatchBytes(maxBatchBytes())
          .setMaxAttempts(maxAttempts())
          .setInitialBackoff(initial)
          .setMaxBackoff(max)
          .setMaxInFlightRecords(maxInFlightRecords())
          .setRecordTtl(backoffs.plusSeconds(30))
          .build();
    }

    /**
     * The entry for one element.
     *
     * @throws IllegalArgumentException naming the stream and the bad value when a function returns a
     *     key out of range or null data
     */
    PutRecordsEntry toEntry(T element) {
      String explicitHashKey = explicitHashKeyFn() == null ? null : explicitHashKeyFn().apply(element);
      if (explicitHashKeyFn() != null) {
        checkArgument(isHashKey(explicitHashKey),
            "explicit hash key for stream %s must be a decimal number from 0 to 2^128 - 1, but was: %s",
            streamName(), explicitHashKey);
      }
      String partitionKey = partitionKeyFn() == null ? explicitHashKey : partitionKeyFn().apply(element);
      checkArgument(partitionKey != null && !partitionKey.isEmpty() && partitionKey.length() <= 256,
          "partition key for stream %s must have 1 to 256 characters, but was: %s", streamName(), partitionKey);
      byte[] data = serializer().apply(element);
      checkArgument(data != null, "serializer for stream %s returned null data for partition key %s",
          streamName(), partitionKey);
      PutRecordsEntry entry = PutRecordsEntry.of(partitionKey, explicitHashKey, data);
      if (writeIdFn() == null) {
        return entry;
      }
      WriteId id = writeIdFn().apply(element);
      checkArgument(id != null, "write id function for stream %s returned null for partition key %s",
          streamName(), partitionKey);
      return entry.withProducer(id.producerId(), id.sequence());
    }

    private static boolean isHashKey(@Nullable String key) {
      if (key == null || key.isEmpty() || key.length() > 39 || !key.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return false;
      }
      return new BigInteger(key).compareTo(MAX_HASH_KEY) <= 0;
    }
  }

  /** The transform of {@link #readRows(Schema, RowFormat)}: a {@link Read} whose payloads are parsed. */
  public static final class ReadRows extends PTransform<PBegin, PCollection<Row>> {
    private static final long serialVersionUID = 1L;

    private final Read read;
    private final Schema schema;
    private final RowFormat format;

    ReadRows(Read read, Schema schema, RowFormat format) {
      this.read = read;
      this.schema = schema;
      this.format = format;
    }

    /** The same, with the underlying read changed (stream, endpoint, position, limits...). */
    public ReadRows withRead(java.util.function.UnaryOperator<Read> change) {
      return new ReadRows(change.apply(read), schema, format);
    }

    @Override
    public PCollection<Row> expand(PBegin input) {
      return input.apply("Read", read)
          .apply("Parse" + format, ParDo.of(new RowParserFn(schema, format)))
          .setRowSchema(schema);
    }
  }
}
