package dev.freshet.sql.kinesis;

import dev.freshet.sdk.io.StreamRecord;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.joda.time.Instant;

/**
 * The event time of a record: its {@code timestampField}, or its arrival time when that column is
 * NULL or missing. A record whose data cannot be read fails with where it is.
 */
final class EventTimeFn implements SerializableFunction<StreamRecord, Instant> {
  private static final long serialVersionUID = 1L;

  private final String table;
  private final String field;
  private final PayloadFormat format;
  private final PayloadCodec codec;

  EventTimeFn(KinesisTableConfig config) {
    this.table = config.tableName();
    this.field = config.timestampField();
    this.format = config.format();
    this.codec = PayloadCodec.of(config.format(), config.payloadSchema());
  }

  @Override
  public Instant apply(StreamRecord record) {
    Instant time;
    try {
      time = codec.timestampOf(record.data(), field);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(String.format("timestampField %s of record %s of shard %s of stream %s "
              + "(kinesis table %s, format %s) cannot be read: %s", field, record.sequenceNumber(), record.shardId(),
          record.streamName(), table, format, e.getMessage()), e);
    }
    return time != null ? time : record.approximateArrivalTimestamp();
  }
}
