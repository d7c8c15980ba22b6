package dev.freshet.sql.kinesis;

import dev.freshet.sdk.io.StreamRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.Row;

/**
 * Makes a table row of a record: the payload columns from its data, the metadata columns from the
 * record. The row keeps the record's timestamp (event or arrival time, set by the source). A record
 * that does not fit fails the pipeline with the table, stream, shard and sequence number.
 */
final class RecordToRowFn extends DoFn<StreamRecord, Row> {
  private static final long serialVersionUID = 1L;

  private final KinesisTableConfig config;
  private final PayloadCodec codec;

  RecordToRowFn(KinesisTableConfig config) {
    this.config = config;
    this.codec = PayloadCodec.of(config.format(), config.payloadSchema());
  }

  @ProcessElement
  public void process(@Element StreamRecord record, OutputReceiver<Row> out) {
    Row payload;
    try {
      payload = config.payloadSchema().getFieldCount() == 0 ? null : codec.decode(record.data());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(String.format("record %s of shard %s of stream %s is not %s for "
              + "kinesis table %s, columns %s: %s", record.sequenceNumber(), record.shardId(), record.streamName(),
          config.format(), config.tableName(), config.payloadSchema().getFieldNames(), e.getMessage()), e);
    }
    int columns = config.schema().getFieldCount();
    List<Object> values = new ArrayList<>(columns);
    for (int i = 0; i < columns; i++) {
      MetadataColumn metadata = config.metadataColumns().get(i);
      values.add(metadata != null ? metadata.valueOf(record) : payload.getValue(config.payloadIndexes().get(i)));
    }
    out.output(Row.withSchema(config.schema()).addValues(values).build());
  }
}
