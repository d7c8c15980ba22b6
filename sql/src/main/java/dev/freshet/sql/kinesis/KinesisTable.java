package dev.freshet.sql.kinesis;

import dev.freshet.sdk.io.StreamIO;
import dev.freshet.sdk.io.WatermarkPolicy;
import org.apache.beam.sdk.extensions.sql.impl.BeamTableStatistics;
import org.apache.beam.sdk.extensions.sql.meta.SchemaBaseBeamTable;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * A stream as a Beam SQL table: reads with {@link StreamIO#read()} and writes with {@link
 * StreamIO#write()}, so checkpoints, resharding and watermarks are those of Java pipelines.
 */
final class KinesisTable extends SchemaBaseBeamTable {
  private static final long serialVersionUID = 1L;

  private final KinesisTableConfig config;

  KinesisTable(KinesisTableConfig config) {
    super(config.schema());
    this.config = config;
  }

  KinesisTableConfig config() {
    return config;
  }

  /** The read this table makes, given the moment a snapshot stops at. */
  StreamIO.Read read(Instant snapshotAt) {
    WatermarkPolicy policy;
    if (config.timestampField() == null) {
      policy = WatermarkPolicy.arrivalTime();
    } else if (config.processingTime()) {
      policy = WatermarkPolicy.processingTime();
    } else {
      policy = WatermarkPolicy.eventTime(new EventTimeFn(config)).withWatermarkDelay(config.watermarkDelay());
    }
    if (config.idleTimeout() != null) {
      policy = policy.withIdleThreshold(config.idleTimeout());
    }
    StreamIO.Read read = StreamIO.read()
        .withStream(config.streamName())
        .withEndpoint(config.endpoint())
        .withStartingPosition(config.startingPosition())
        .withWatermarkPolicy(policy);
    if (config.consumerName() != null) {
      read = read.withConsumer(config.consumerName());
    }
    if (config.readMode() == ReadMode.SNAPSHOT) {
      read = read.withStopReadingAt(snapshotAt);
    }
    return read;
  }

  @Override
  public PCollection<Row> buildIOReader(PBegin begin) {
    PCollection<Row> rows = begin
        .apply("Read " + config.streamName(), read(Instant.now()))
        .apply("Rows of " + config.tableName(), ParDo.of(new RecordToRowFn(config)))
        .setRowSchema(config.schema());
    if (config.readMode() == ReadMode.SNAPSHOT) {
      // The read ends by itself once every shard is read up to the query's start, and its watermark
      // then reaches the end of time: the rows are finite, and saying so lets SQL aggregate them
      // without windows, firing once at the end as over any bounded table.
      rows.setIsBoundedInternal(PCollection.IsBounded.BOUNDED);
    }
    return rows;
  }

  @Override
  public POutput buildIOWriter(PCollection<Row> input) {
    RowWriting.Serializer serializer = new RowWriting.Serializer(config);
    SerializableFunction<Row, String> key = config.partitionKeyColumn() != null
        ? new RowWriting.ColumnKey(config)
        : new RowWriting.DataKey(serializer);
    return input.apply("Write " + config.streamName(), StreamIO.<Row>write()
        .withStream(config.streamName())
        .withEndpoint(config.endpoint())
        .withPartitionKey(key)
        .withSerializer(serializer));
  }

  @Override
  public PCollection.IsBounded isBounded() {
    return config.readMode() == ReadMode.SNAPSHOT ? PCollection.IsBounded.BOUNDED : PCollection.IsBounded.UNBOUNDED;
  }

  @Override
  public BeamTableStatistics getTableStatistics(PipelineOptions options) {
    return config.readMode() == ReadMode.SNAPSHOT
        ? BeamTableStatistics.BOUNDED_UNKNOWN : BeamTableStatistics.UNBOUNDED_UNKNOWN;
  }
}
