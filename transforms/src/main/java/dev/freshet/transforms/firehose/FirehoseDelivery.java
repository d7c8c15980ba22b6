package dev.freshet.transforms.firehose;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import com.google.common.collect.ImmutableSortedMap;
import dev.freshet.sdk.io.StreamRecord;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Set;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Delivers records the way Amazon Data Firehose delivers them: buffered by partition into objects
 * (to local files or an S3 API), optionally transformed by a Lambda-style function, partitioned
 * dynamically, compressed, and named with the service's prefixes; or buffered into batches for an
 * HTTP endpoint ({@link HttpEndpointDestination}) or a PostgreSQL table ({@link
 * PostgresDestination}, staged and loaded with COPY, as the service loads Redshift).
 *
 * <pre>{@code
 * FirehoseDeliveryResult result = records                       // PCollection<FirehoseRecord>
 *     .apply(FirehoseDelivery.to(FirehoseDestination.localFiles(Path.of("/data/lake")))  // required
 *         .withDeliveryStreamName("clicks")                     // required; names the objects
 *         .withBufferingHints(64, Duration.standardSeconds(60)) // default 5 MiB, 300 s
 *         .withCompression(CompressionFormat.GZIP)              // default UNCOMPRESSED
 *         .withAppendDelimiter(true)                            // default false: records are concatenated
 *         .withPartitionKeyFromQuery("customer", ".customer_id")
 *         .withPrefix("customer=!{partitionKeyFromQuery:customer}/!{timestamp:yyyy/MM/dd}/")
 *         .withErrorOutputPrefix("errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/"));
 * result.getErrors();            // PCollection<FirehoseErrorRecord>, also delivered under the error prefix
 * result.getDeliveredObjects();  // PCollection<DeliveredObject>, one per object put
 *
 * // Straight from a stream:
 * pipeline.apply(StreamIO.read().withStream("clicks").withEndpoint(uri))
 *     .apply(FirehoseDelivery.to(destination).withDeliveryStreamName("clicks").forStreamRecords());
 *
 * // To an HTTP endpoint, failed batches to a backup folder:
 * records.apply(FirehoseDelivery.to(HttpEndpointDestination.builder()
 *         .setUrl(URI.create("https://collector.example.com/firehose"))           // required
 *         .setBackup(FirehoseDestination.localFiles(Path.of("/data/failed")))     // required
 *         .setAccessKey("token").build())
 *     .withDeliveryStreamName("clicks").withBufferingHints(1, Duration.standardSeconds(60)));
 *
 * // To PostgreSQL, staged under the prefix, then COPY:
 * records.apply(FirehoseDelivery.to(PostgresDestination.builder()
 *         .setJdbcUrl("jdbc:postgresql://127.0.0.1:5432/warehouse").setTable("clicks")  // required
 *         .setStaging(FirehoseDestination.localFiles(Path.of("/data/staging")))          // required
 *         .setCopyOptions(CopyOptions.jsonAuto()).build())
 *     .withDeliveryStreamName("clicks").withAppendDelimiter(true));
 * }</pre>
 *
 * <h2>Buffering</h2>
 *
 * <p>Records are buffered per destination partition (the values of the partition keys, or one
 * partition without dynamic partitioning) in Beam state, and an object is put when the buffer
 * reaches the size hint (1–128 MiB, default 5 MiB) or the interval hint (0–900 s, default 300 s,
 * counted in processing time from the buffer's first record; 0 puts what has arrived at once),
 * whichever comes first. A record that would take the buffer past the size hint starts a new
 * object, so an object holds at most the size hint unless one record alone is larger. The end of
 * a window also puts every buffer: in a batch pipeline (or a stream read with a bound), the end of
 * input delivers everything. Sizes count the data as delivered (after transformation, with
 * delimiters), before compression.
 *
 * <h2>Naming</h2>
 *
 * <p>An object is {@code <prefix><deliveryStreamName>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><ext>},
 * where the time is the arrival time of the oldest record in the object (in the time zone of
 * {@link Write#withTimeZone}, default UTC) and the extension is that of the {@link
 * CompressionFormat}. The prefix defaults to {@code YYYY/MM/dd/HH/} of that same time. A custom
 * prefix takes the service's expressions: {@code !{timestamp:<DateTimeFormatter pattern>}}, {@code
 * !{firehose:random-string}}, {@code !{partitionKeyFromQuery:<key>}} and {@code
 * !{partitionKeyFromLambda:<key>}}; the error output prefix also takes {@code
 * !{firehose:error-output-type}}. A prefix without expressions is followed by the default time
 * prefix. Prefixes are parsed and checked when the transform is applied: an unknown namespace, an
 * unbalanced brace, a bad pattern, a query key no query defines, {@code error-output-type} outside
 * the error prefix, or a prefix with expressions but no error output prefix, each fails with a
 * message that names the setting and the expression.
 *
 * <h2>Transformation</h2>
 *
 * <p>{@link Write#withRecordTransformer} runs a {@link RecordTransformer} with the Lambda contract
 * over batches of records (up to {@link Write#withTransformationBatch} records or 1 MiB, within a
 * bundle). A batch that throws or breaks the contract (missing or repeated record ids) is tried
 * again, up to {@link Write#withTransformationRetries} retries and within its retry duration, and
 * then each of its records becomes an error record; so does each record returned as {@code
 * ProcessingFailed}. {@code Dropped} records disappear.
 *
 * <h2>Dynamic partitioning</h2>
 *
 * <p>Partition keys come from jq 1.6 queries over JSON records ({@link
 * Write#withPartitionKeyFromQuery}; the query runs over the transformed data) and from the
 * transformer's {@code metadata.partitionKeys}. A record that is not JSON, or whose query yields
 * nothing, null, or more than one value, or that lacks a Lambda key the prefix needs, goes to the
 * error output ({@code partitioning-failed}). At most {@link Write#withMaxActivePartitions} (default
 * 500, as the service) partitions are active at once: a partition is active from its first record
 * for one buffer interval (in a batch pipeline, for the whole window). Records of further
 * partitions go to the error output with error code {@code
 * DynamicPartitioning.ActivePartitionsLimitExceeded}. Admission is decided in one place, so with
 * dynamic partitioning all records pass through a single worker before they are buffered.
 *
 * <h2>Batch destinations: HTTP endpoints and PostgreSQL</h2>
 *
 * <p>A {@link BatchDestination} takes each buffer as one batch: one POST of the service's HTTP
 * endpoint request (at most 10,000 records; buffer size hint 1–64 MiB, as the service allows for
 * HTTP endpoints), or one staged object and one {@code COPY}. Failed attempts are retried with
 * the service's back-off (1 s doubling, ±15% jitter, at most 2 minutes) until the destination's
 * retry duration (0–7,200 s; default 300 s for HTTP endpoints and 3,600 s for PostgreSQL, as the
 * service) has passed since the first failure; the worker waits meanwhile, so its other buffers
 * wait too. A batch still refused then, or refused for good (HTTP 413, data PostgreSQL cannot
 * load), becomes error records ({@code http-endpoint-failed} with the service's {@code
 * HttpEndpoint.*} codes, {@code postgresql-failed} with its {@code Redshift.*} codes), put under
 * the error output prefix in the destination's backup or staging store. Every attempt of an HTTP
 * batch carries the same request id, which a receiver can use to drop repeats.
 *
 * <h2>Error output</h2>
 *
 * <p>Records that fail transformation or partitioning, or that a batch destination did not take,
 * are {@link FirehoseErrorRecord}s, the service's error JSON (attemptsMade, arrivalTimestamp,
 * errorCode, errorMessage, attemptEndingTimestamp, rawData, lambdaArn). They are returned in {@link
 * FirehoseDeliveryResult#getErrors()} and delivered, one JSON object per line, under the error
 * output prefix (default: the text of a prefix without expressions, then {@code
 * <error-output-type>/YYYY/MM/dd/HH/}), buffered and compressed like the data; for a batch
 * destination, in its backup or staging store.
 *
 * <h2>Checkpointing and delivery guarantee: at-least-once</h2>
 *
 * <p>Buffers live in the runner's state, so on Flink they are part of each checkpoint and survive a
 * restart. An object is put before the state that held its records is cleared; a failure between
 * the two (or a bundle retried after a put) delivers those records again in a second object with
 * another name. So every input record is delivered at least once, never lost, and occasionally
 * twice. Each object is whole or absent: local files are written to a temporary file and renamed,
 * S3 objects are sent in one PutObject. The same holds for batches: an HTTP batch whose 200 was
 * lost, or a COPY whose commit the driver did not see, is sent again; a COPY loads whole or not at
 * all. To deduplicate downstream, carry an id in the data (for stream records, the sequence number
 * is the record id), or use the HTTP request id.
 *
 * <h2>Format conversion</h2>
 *
 * <p>{@link Write#withDataFormatConversion} reads JSON records against an Avro or Beam schema and
 * writes each object as one Parquet or ORC file ({@code .parquet}, {@code .orc}), compressed inside
 * the file; records that do not fit go to the error output ({@code format-conversion-failed}, error
 * codes {@code DataFormatConversion.*}). See {@link DataFormatConversion}.
 *
 * <h2>Backup</h2>
 *
 * <p>{@link Write#withBackup} names a second object destination: the error output goes there
 * ({@link BackupMode#FAILED_DATA_ONLY}), and with {@link BackupMode#ALL_DATA} every source record
 * as it arrived, before transformation and conversion, under {@link Write#withBackupPrefix}.
 *
 * <h2>Not yet</h2>
 *
 * <p>The Firehose service API and the agent are elsewhere (server and cli modules).
 */
public final class FirehoseDelivery {
  private FirehoseDelivery() {}

  /** The service's smallest and largest buffer size hints for S3, in MiB. */
  static final int MIN_BUFFER_MIB = 1;
  static final int MAX_BUFFER_MIB = 128;
  static final Duration MAX_BUFFER_INTERVAL = Duration.standardSeconds(900);

  /** A delivery to {@code destination}; set at least the delivery stream name. */
  public static Write to(FirehoseDestination destination) {
    checkNotNull(destination, "destination");
    return new AutoValue_FirehoseDelivery_Write.Builder()
        .setDestination(destination)
        .setVersion(1)
        .setBufferSizeBytes(5L << 20)
        .setBufferInterval(Duration.standardSeconds(300))
        .setCompression(CompressionFormat.UNCOMPRESSED)
        .setAppendDelimiter(false)
        .setTransformationBatchRecords(500)
        .setTransformationRetries(3)
        .setTransformationRetryDuration(Duration.standardSeconds(300))
        .setTransformationBackoff(Duration.millis(100))
        .setPartitionKeyQueries(ImmutableSortedMap.of())
        .setMaxActivePartitions(500)
        .setTimeZone("UTC")
        .setBackupMode(BackupMode.FAILED_DATA_ONLY)
        .build();
  }

  /** The transform of {@link #to}. */
  @AutoValue
  public abstract static class Write extends PTransform<PCollection<FirehoseRecord>, FirehoseDeliveryResult> {
    private static final long serialVersionUID = 1L;

    abstract FirehoseDestination destination();

    abstract @Nullable String deliveryStreamName();

    abstract int version();

    abstract long bufferSizeBytes();

    abstract Duration bufferInterval();

    abstract CompressionFormat compression();

    abstract @Nullable String prefix();

    abstract @Nullable String errorOutputPrefix();

    abstract boolean appendDelimiter();

    abstract @Nullable RecordTransformer recordTransformer();

    abstract int transformationBatchRecords();

    abstract int transformationRetries();

    abstract Duration transformationRetryDuration();

    abstract Duration transformationBackoff();

    abstract ImmutableSortedMap<String, String> partitionKeyQueries();

    abstract int maxActivePartitions();

    abstract String timeZone();

    abstract @Nullable DataFormatConversion dataFormatConversion();

    abstract @Nullable FirehoseDestination backup();

    abstract BackupMode backupMode();

    abstract @Nullable String backupPrefix();

    abstract Builder toBuilder();

    @AutoValue.Builder
    abstract static class Builder {
      abstract Builder setDestination(FirehoseDestination destination);

      abstract Builder setDeliveryStreamName(String name);

      abstract Builder setVersion(int version);

      abstract Builder setBufferSizeBytes(long bytes);

      abstract Builder setBufferInterval(Duration interval);

      abstract Builder setCompression(CompressionFormat compression);

      abstract Builder setPrefix(@Nullable String prefix);

      abstract Builder setErrorOutputPrefix(@Nullable String prefix);

      abstract Builder setAppendDelimiter(boolean append);

      abstract Builder setRecordTransformer(@Nullable RecordTransformer transformer);

      abstract Builder setTransformationBatchRecords(int records);

      abstract Builder setTransformationRetries(int retries);

      abstract Builder setTransformationRetryDuration(Duration duration);

      abstract Builder setTransformationBackoff(Duration backoff);

      abstract Builder setPartitionKeyQueries(ImmutableSortedMap<String, String> queries);

      abstract Builder setMaxActivePartitions(int max);

      abstract Builder setTimeZone(String zone);

      abstract Builder setDataFormatConversion(@Nullable DataFormatConversion conversion);

      abstract Builder setBackup(@Nullable FirehoseDestination backup);

      abstract Builder setBackupMode(BackupMode mode);

      abstract Builder setBackupPrefix(@Nullable String prefix);

      abstract Write build();
    }

    /**
     * The delivery stream's name, which starts every object name. Required: 1–64 characters of
     * letters, digits, {@code _ . -}.
     */
    public Write withDeliveryStreamName(String name) {
      checkNotNull(name, "deliveryStreamName");
      checkArgument(name.matches("[a-zA-Z0-9_.-]{1,64}"),
          "deliveryStreamName must be 1 to 64 characters of letters, digits, '_', '.' and '-', but was: %s", name);
      return toBuilder().setDeliveryStreamName(name).build();
    }

    /** The delivery stream version in object names (default 1; the service counts configuration changes). */
    public Write withVersion(int version) {
      checkArgument(version >= 1, "version must be at least 1, but was: %s", version);
      return toBuilder().setVersion(version).build();
    }

    /**
     * Both buffering hints: an object is put when its buffer reaches {@code sizeInMiB} (1–128,
     * default 5) or {@code interval} has passed since its first record (0–900 s, default 300 s;
     * 0 puts at once), whichever comes first.
     */
    public Write withBufferingHints(int sizeInMiB, Duration interval) {
      return withBufferSize(sizeInMiB).withBufferInterval(interval);
    }

    /**
     * The size hint in MiB: 1–128, default 5; at most 64 for an HTTP endpoint (checked when the
     * transform is applied).
     */
    public Write withBufferSize(int sizeInMiB) {
      checkArgument(sizeInMiB >= MIN_BUFFER_MIB && sizeInMiB <= MAX_BUFFER_MIB,
          "bufferSize must be between %s and %s MiB, but was: %s MiB", MIN_BUFFER_MIB, MAX_BUFFER_MIB, sizeInMiB);
      return toBuilder().setBufferSizeBytes((long) sizeInMiB << 20).build();
    }

    /** The interval hint: 0–900 s, default 300 s; 0 puts records as soon as they arrive. */
    public Write withBufferInterval(Duration interval) {
      checkNotNull(interval, "bufferInterval");
      checkArgument(!interval.isShorterThan(Duration.ZERO) && !interval.isLongerThan(MAX_BUFFER_INTERVAL),
          "bufferInterval must be between 0 and 900 s, but was: %s s", interval.getMillis() / 1000.0);
      return toBuilder().setBufferInterval(interval).build();
    }

    /** How objects are compressed (default {@link CompressionFormat#UNCOMPRESSED}). */
    public Write withCompression(CompressionFormat compression) {
      checkNotNull(compression, "compression");
      return toBuilder().setCompression(compression).build();
    }

    /**
     * The custom prefix of object keys, with the service's expressions; default {@code
     * YYYY/MM/dd/HH/} of the oldest record's arrival. Checked when the transform is applied.
     */
    public Write withPrefix(String prefix) {
      checkNotNull(prefix, "prefix");
      return toBuilder().setPrefix(prefix).build();
    }

    /**
     * The prefix of error objects; may use {@code !{firehose:error-output-type}}. Required when
     * the prefix has expressions (as the service requires); by default the text of the prefix
     * followed by {@code <error-output-type>/YYYY/MM/dd/HH/}. An error output prefix without
     * expressions is followed by {@code <error-output-type>/YYYY/MM/dd/HH/} too.
     */
    public Write withErrorOutputPrefix(String prefix) {
      checkNotNull(prefix, "errorOutputPrefix");
      return toBuilder().setErrorOutputPrefix(prefix).build();
    }

    /**
     * The service's AppendDelimiterToRecord processor: a newline after each record (default off,
     * records are concatenated as they are). With JSON records, this makes JSON lines.
     */
    public Write withAppendDelimiter(boolean append) {
      return toBuilder().setAppendDelimiter(append).build();
    }

    /** Transforms records with the Lambda contract before they are partitioned and buffered. */
    public Write withRecordTransformer(RecordTransformer transformer) {
      checkNotNull(transformer, "recordTransformer");
      return toBuilder().setRecordTransformer(transformer).build();
    }

    /** The most records in one transformer call: 1–10,000, default 500. */
    public Write withTransformationBatch(int maxRecords) {
      checkArgument(maxRecords >= 1 && maxRecords <= 10_000,
          "transformationBatch must be between 1 and 10000 records, but was: %s", maxRecords);
      return toBuilder().setTransformationBatchRecords(maxRecords).build();
    }

    /**
     * How often a failed transformer call is tried again (0–300, default 3, as the service's
     * NumberOfRetries), with no retry started after {@code retryDuration} (0–7200 s, default 300 s)
     * from the first attempt. Retries wait 100 ms, doubling, at most 5 s.
     */
    public Write withTransformationRetries(int numberOfRetries, Duration retryDuration) {
      checkArgument(numberOfRetries >= 0 && numberOfRetries <= 300,
          "transformationRetries must be between 0 and 300, but was: %s", numberOfRetries);
      checkNotNull(retryDuration, "retryDuration");
      checkArgument(!retryDuration.isShorterThan(Duration.ZERO)
              && !retryDuration.isLongerThan(Duration.standardSeconds(7200)),
          "transformation retryDuration must be between 0 and 7200 s, but was: %s s", retryDuration.getMillis() / 1000.0);
      return toBuilder().setTransformationRetries(numberOfRetries).setTransformationRetryDuration(retryDuration).build();
    }

    /** The first wait between transformer attempts (default 100 ms; doubles, at most 5 s). */
    Write withTransformationBackoff(Duration backoff) {
      return toBuilder().setTransformationBackoff(backoff).build();
    }

    /**
     * Dynamic partitioning: partition key {@code key} is the single value the jq 1.6 {@code query}
     * yields over each record's JSON, used in the prefix as {@code !{partitionKeyFromQuery:key}}.
     * The query is compiled here; a query that is not jq fails with a message naming the key.
     */
    public Write withPartitionKeyFromQuery(String key, String query) {
      checkNotNull(key, "key");
      checkNotNull(query, "query");
      checkArgument(key.matches("[a-zA-Z0-9_]{1,64}"),
          "partition key name must be 1 to 64 letters, digits or '_', but was: %s", key);
      checkArgument(!partitionKeyQueries().containsKey(key), "partition key %s already has a query", key);
      PartitionKeyQueries.validate(key, query);
      return toBuilder().setPartitionKeyQueries(ImmutableSortedMap.<String, String>naturalOrder()
          .putAll(partitionKeyQueries()).put(key, query).build()).build();
    }

    /** The cap on active partitions (default 500, as the service; 1–50,000). */
    public Write withMaxActivePartitions(int max) {
      checkArgument(max >= 1 && max <= 50_000, "maxActivePartitions must be between 1 and 50000, but was: %s", max);
      return toBuilder().setMaxActivePartitions(max).build();
    }

    /** The time zone of timestamps in prefixes and object names (default UTC), like CustomTimeZone. */
    public Write withTimeZone(ZoneId zone) {
      checkNotNull(zone, "timeZone");
      return toBuilder().setTimeZone(zone.getId()).build();
    }

    /**
     * Record format conversion: JSON records to one Parquet or ORC file per object (see {@link
     * DataFormatConversion}). Records that do not fit the schema go to the error output ({@code
     * format-conversion-failed}). Needs {@link CompressionFormat#UNCOMPRESSED} (the file compresses
     * its columns), no append delimiter, and an object destination; checked when the transform is
     * applied.
     */
    public Write withDataFormatConversion(DataFormatConversion conversion) {
      checkNotNull(conversion, "dataFormatConversion");
      return toBuilder().setDataFormatConversion(conversion).build();
    }

    /**
     * A second destination for backup, as the service's S3 backup: with {@link
     * BackupMode#FAILED_DATA_ONLY} the error output goes there instead of to the main destination
     * (or a batch destination's backup store); with {@link BackupMode#ALL_DATA} every source record,
     * as it arrived (before transformation and conversion), is also put there under the backup
     * prefix, buffered, named and compressed like the data.
     */
    public Write withBackup(FirehoseDestination backup, BackupMode mode) {
      checkNotNull(backup, "backup");
      checkNotNull(mode, "backupMode");
      checkArgument(!(backup instanceof BatchDestination),
          "backup must be an object destination (local files or S3), but was: %s", backup.describe());
      return toBuilder().setBackup(backup).setBackupMode(mode).build();
    }

    /**
     * The prefix of source-record backup objects (default: {@code YYYY/MM/dd/HH/}); takes {@code
     * !{timestamp:…}} and {@code !{firehose:random-string}}, and is followed by the default time
     * prefix when it has no expressions. Only with {@link BackupMode#ALL_DATA}.
     */
    public Write withBackupPrefix(String prefix) {
      checkNotNull(prefix, "backupPrefix");
      return toBuilder().setBackupPrefix(prefix).build();
    }

    /** This delivery over the records of {@code StreamIO.read()}, via {@link FirehoseRecord#fromStreamRecord}. */
    public PTransform<PCollection<StreamRecord>, FirehoseDeliveryResult> forStreamRecords() {
      Write write = this;
      return new PTransform<>("FirehoseDeliveryOfStreamRecords") {
        private static final long serialVersionUID = 1L;

        @Override
        public FirehoseDeliveryResult expand(PCollection<StreamRecord> input) {
          return input
              .apply("ToFirehoseRecords", MapElements.into(TypeDescriptor.of(FirehoseRecord.class))
                  .via(FirehoseRecord::fromStreamRecord))
              .setCoder(FirehoseRecordCoder.of())
              .apply("FirehoseDelivery", write);
        }
      };
    }

    /** The prefixes after the service's rules, checked against the rest of the settings. */
    record Prefixes(PrefixExpression data, PrefixExpression errors) {}

    Prefixes prefixes() {
      checkArgument(deliveryStreamName() != null, "deliveryStreamName is required: set withDeliveryStreamName(...)");
      Set<String> queryKeys = partitionKeyQueries().keySet();
      boolean transformer = recordTransformer() != null;
      PrefixExpression.Scope dataScope = new PrefixExpression.Scope(false, queryKeys, transformer);
      PrefixExpression.Scope errorScope = new PrefixExpression.Scope(true, queryKeys, transformer);
      String userPrefix = prefix() == null ? "" : prefix();
      PrefixExpression data = PrefixExpression.parse("prefix", userPrefix, dataScope);
      if (!data.hasExpressions()) {
        data = PrefixExpression.parse("prefix", userPrefix + PrefixExpression.DEFAULT_TIME_PREFIX, dataScope);
      } else if (errorOutputPrefix() == null) {
        throw new IllegalArgumentException(String.format(
            "errorOutputPrefix is required when prefix has expressions (prefix: %s); "
                + "set withErrorOutputPrefix(...), for example \"errors/!{firehose:error-output-type}/\"",
            userPrefix));
      }
      Set<String> unused = new HashSet<>(queryKeys);
      data.queryKeys().forEach(unused::remove);
      if (!unused.isEmpty()) {
        throw new IllegalArgumentException(String.format(
            "partition key queries %s are not used in prefix %s; use !{partitionKeyFromQuery:<key>} for each",
            unused, userPrefix));
      }
      PrefixExpression errors;
      if (errorOutputPrefix() == null) {
        errors = PrefixExpression.parse("errorOutputPrefix", userPrefix + "!{firehose:error-output-type}/"
            + PrefixExpression.DEFAULT_TIME_PREFIX, errorScope);
      } else {
        errors = PrefixExpression.parse("errorOutputPrefix", errorOutputPrefix(), errorScope);
        if (!errors.hasExpressions()) {
          errors = PrefixExpression.parse("errorOutputPrefix", errorOutputPrefix()
              + "!{firehose:error-output-type}/" + PrefixExpression.DEFAULT_TIME_PREFIX, errorScope);
        }
      }
      return new Prefixes(data, errors);
    }

    /** The prefix of source-record backup objects, or null without an all-data backup. */
    @Nullable PrefixExpression backupPrefixExpression() {
      if (backup() == null || backupMode() != BackupMode.ALL_DATA) {
        checkArgument(backupPrefix() == null,
            "backupPrefix needs withBackup(destination, BackupMode.ALL_DATA), but the backup is %s",
            backup() == null ? "not set" : backupMode());
        return null;
      }
      PrefixExpression.Scope scope = new PrefixExpression.Scope(false, Set.of(), false);
      String text = backupPrefix() == null ? "" : backupPrefix();
      PrefixExpression parsed = PrefixExpression.parse("backupPrefix", text, scope);
      return parsed.hasExpressions() ? parsed
          : PrefixExpression.parse("backupPrefix", text + PrefixExpression.DEFAULT_TIME_PREFIX, scope);
    }

    /** The settings format conversion restricts, as the service does. */
    void checkConversion() {
      if (dataFormatConversion() == null) {
        return;
      }
      checkArgument(compression() == CompressionFormat.UNCOMPRESSED,
          "compression must be UNCOMPRESSED with data format conversion (the %s file compresses its own columns: "
              + "set DataFormatConversion.withCompression), but was: %s", dataFormatConversion().format(), compression());
      checkArgument(!appendDelimiter(),
          "appendDelimiter cannot be used with data format conversion: each record is one row of the %s file",
          dataFormatConversion().format());
      checkArgument(!(destination() instanceof BatchDestination),
          "data format conversion needs an object destination (local files or S3), but the destination is %s",
          destination().describe());
    }

    /** The settings a destination restricts: a batch destination's own buffer size limit. */
    void checkDestination() {
      if (destination() instanceof BatchDestination batch) {
        long max = (long) batch.maxBufferSizeMiB() << 20;
        checkArgument(bufferSizeBytes() <= max, "bufferSize must be between %s and %s MiB for %s, but was: %s MiB",
            MIN_BUFFER_MIB, batch.maxBufferSizeMiB(), batch.describe(), bufferSizeBytes() >> 20);
      }
    }

    @Override
    public FirehoseDeliveryResult expand(PCollection<FirehoseRecord> input) {
      Prefixes prefixes = prefixes();
      checkDestination();
      checkConversion();
      PrefixExpression backupPrefix = backupPrefixExpression();
      FirehoseDestination errorTarget = backup() != null ? backup() : destination();

      TupleTag<KV<String, FirehoseRecord>> dataTag = new TupleTag<>("data") {};
      TupleTag<FirehoseErrorRecord> errorTag = new TupleTag<>("errors") {};
      KvCoder<String, FirehoseRecord> keyed = KvCoder.of(StringUtf8Coder.of(), FirehoseRecordCoder.of());
      DeliveryCoders.ErrorRecordCoder errorCoder = new DeliveryCoders.ErrorRecordCoder();

      PCollectionTuple processed = input.apply("TransformAndPartition",
          ParDo.of(new TransformFn(this, prefixes.data(), dataTag, errorTag))
              .withOutputTags(dataTag, TupleTagList.of(errorTag)));
      PCollection<KV<String, FirehoseRecord>> data = processed.get(dataTag).setCoder(keyed);
      PCollection<FirehoseErrorRecord> errors = processed.get(errorTag).setCoder(errorCoder);

      if (prefixes.data().usesPartitionKeys()) {
        TupleTag<KV<String, FirehoseRecord>> admittedTag = new TupleTag<>("admitted") {};
        TupleTag<FirehoseErrorRecord> overflowTag = new TupleTag<>("overflow") {};
        PCollectionTuple admitted = data
            .apply("OneAdmissionKey", WithKeys.<Integer, KV<String, FirehoseRecord>>of(0)
                .withKeyType(TypeDescriptors.integers()))
            .setCoder(KvCoder.of(VarIntCoder.of(), keyed))
            .apply("AdmitPartitions", ParDo.of(new AdmitPartitionsFn(this, admittedTag, overflowTag))
                .withOutputTags(admittedTag, TupleTagList.of(overflowTag)));
        data = admitted.get(admittedTag).setCoder(keyed);
        errors = PCollectionList.of(errors).and(admitted.get(overflowTag).setCoder(errorCoder))
            .apply("AllErrors", Flatten.pCollections());
      }

      DeliveryCoders.DeliveredObjectCoder objectCoder = new DeliveryCoders.DeliveredObjectCoder();
      KvCoder<String, RecordChunk> chunkCoder = KvCoder.of(StringUtf8Coder.of(), new RecordChunk.Coder());
      TupleTag<FirehoseErrorRecord> failedTag = new TupleTag<>("failed") {};
      PCollectionTuple delivered = data
          .apply("Chunk", ParDo.of(new ChunkFn()))
          .setCoder(chunkCoder)
          .apply("BufferAndPut", ParDo.of(new BufferFn(this, destination(), prefixes.data(), BufferFn.Role.DATA,
                  failedTag))
              .withOutputTags(BufferFn.OBJECTS, TupleTagList.of(failedTag)));
      PCollection<DeliveredObject> dataObjects = delivered.get(BufferFn.OBJECTS).setCoder(objectCoder);
      if (destination() instanceof BatchDestination) {
        errors = PCollectionList.of(errors).and(delivered.get(failedTag).setCoder(errorCoder))
            .apply("AllErrorsWithDeliveryFailures", Flatten.pCollections());
      }
      PCollection<DeliveredObject> errorObjects = errors
          .apply("ErrorLines", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(),
                  TypeDescriptor.of(FirehoseRecord.class)))
              .via(error -> KV.of(DeliveryKey.error(error.errorOutputType()).encode(),
                  FirehoseRecord.unchecked(error.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                      new org.joda.time.Instant(error.arrivalTimestamp())))))
          .setCoder(keyed)
          .apply("ChunkErrors", ParDo.of(new ChunkFn()))
          .setCoder(chunkCoder)
          .apply("BufferAndPutErrors", ParDo.of(new BufferFn(this, errorTarget, prefixes.errors(), BufferFn.Role.ERRORS, failedTag))
              .withOutputTags(BufferFn.OBJECTS, TupleTagList.empty()))
          .get(BufferFn.OBJECTS).setCoder(objectCoder);
      PCollection<DeliveredObject> objects = PCollectionList.of(dataObjects).and(errorObjects)
          .apply("AllObjects", Flatten.pCollections())
          .setCoder(objectCoder);
      PCollection<DeliveredObject> backupObjects;
      if (backupPrefix != null) {
        backupObjects = input
            .apply("SourceRecordsForBackup", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(),
                    TypeDescriptor.of(FirehoseRecord.class)))
                .via(record -> KV.of(DeliveryKey.data(java.util.Map.of()).encode(), record)))
            .setCoder(keyed)
            .apply("ChunkBackup", ParDo.of(new ChunkFn()))
            .setCoder(chunkCoder)
            .apply("BufferAndPutBackup", ParDo.of(new BufferFn(this, backup(), backupPrefix,
                    BufferFn.Role.SOURCE_BACKUP, failedTag))
                .withOutputTags(BufferFn.OBJECTS, TupleTagList.empty()))
            .get(BufferFn.OBJECTS).setCoder(objectCoder);
      } else {
        backupObjects = input.getPipeline().apply("NoBackup", Create.empty(objectCoder));
      }
      return FirehoseDeliveryResult.in(input.getPipeline(), objects, errors, backupObjects);
    }
  }
}
