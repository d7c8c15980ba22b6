package dev.freshet.sql.firehose;

import dev.freshet.sql.kinesis.PayloadCodec;
import dev.freshet.transforms.firehose.FirehoseRecord;
import org.apache.beam.sdk.extensions.sql.impl.BeamTableStatistics;
import org.apache.beam.sdk.extensions.sql.meta.SchemaBaseBeamTable;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * A Firehose delivery stream as a write-only Beam SQL table: each row {@code INSERT}ed becomes one
 * record (its columns as a JSON object or a CSV line) delivered by {@link
 * dev.freshet.transforms.firehose.FirehoseDelivery}, buffered, compressed and put as objects.
 */
final class FirehoseTable extends SchemaBaseBeamTable {
  private static final long serialVersionUID = 1L;

  private final FirehoseTableConfig config;

  FirehoseTable(FirehoseTableConfig config) {
    super(config.schema);
    this.config = config;
  }

  @Override
  public PCollection<Row> buildIOReader(PBegin begin) {
    throw new UnsupportedOperationException("firehose table " + config.tableName + " is a delivery sink: INSERT INTO "
        + "it; read what it delivered from its destination (a kinesis table cannot read objects)");
  }

  @Override
  public POutput buildIOWriter(PCollection<Row> input) {
    return input
        .apply("Records for " + config.tableName, ParDo.of(new ToRecordFn(PayloadCodec.of(config.format, config.schema))))
        .apply("Deliver " + config.tableName, config.delivery)
        .getDeliveredObjects();
  }

  @Override
  public PCollection.IsBounded isBounded() {
    return PCollection.IsBounded.UNBOUNDED;
  }

  @Override
  public BeamTableStatistics getTableStatistics(PipelineOptions options) {
    return BeamTableStatistics.UNBOUNDED_UNKNOWN;
  }

  /**
   * A row as a record. Its arrival time, which names objects and fills {@code !{timestamp:...}}, is
   * when it reaches the delivery stream, as in the service, not its event time.
   */
  private static final class ToRecordFn extends DoFn<Row, FirehoseRecord> {
    private final PayloadCodec codec;

    ToRecordFn(PayloadCodec codec) {
      this.codec = codec;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<FirehoseRecord> out) {
      out.output(FirehoseRecord.of(codec.encode(row), Instant.now()));
    }
  }
}
