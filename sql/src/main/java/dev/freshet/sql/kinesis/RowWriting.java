package dev.freshet.sql.kinesis;

import com.google.common.hash.Hashing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.Row;

/** The functions that turn rows INSERTed into a {@code kinesis} table into records. */
final class RowWriting {
  private RowWriting() {}

  /**
   * The data of a row: its payload columns, taken by position (the rows of an INSERT have the
   * table's columns in order, under the query's names), encoded in the table's format.
   */
  static final class Serializer implements SerializableFunction<Row, byte[]> {
    private static final long serialVersionUID = 1L;

    private final KinesisTableConfig config;
    private final PayloadCodec codec;

    Serializer(KinesisTableConfig config) {
      this.config = config;
      this.codec = PayloadCodec.of(config.format(), config.payloadSchema());
    }

    @Override
    public byte[] apply(Row row) {
      List<Object> values = new ArrayList<>(config.payloadSchema().getFieldCount());
      for (Map.Entry<Integer, Integer> column : config.payloadIndexes().entrySet()) {
        values.add(row.getValue(column.getKey()));
      }
      Row payload = Row.withSchema(config.payloadSchema()).addValues(values).build();
      return codec.encode(payload);
    }
  }

  /** The value of the partition key column, as text; a NULL or empty key fails naming the column. */
  static final class ColumnKey implements SerializableFunction<Row, String> {
    private static final long serialVersionUID = 1L;

    private final String table;
    private final String column;
    private final int index;

    ColumnKey(KinesisTableConfig config) {
      this.table = config.tableName();
      this.column = config.partitionKeyColumn();
      this.index = config.partitionKeyIndex();
    }

    @Override
    public String apply(Row row) {
      Object value = row.getValue(index);
      String key = value == null ? null : value.toString();
      if (key == null || key.isEmpty() || key.length() > 256) {
        throw new IllegalArgumentException("column " + column + " is the partition key of kinesis table " + table
            + " and must have 1 to 256 characters, but was: " + (key == null ? "NULL" : "'" + key + "'"));
      }
      return key;
    }
  }

  /**
   * A partition key hashed from the record's data, for tables without a key column: equal rows go
   * to the same shard, and different rows spread over all shards.
   */
  static final class DataKey implements SerializableFunction<Row, String> {
    private static final long serialVersionUID = 1L;

    private final Serializer serializer;

    DataKey(Serializer serializer) {
      this.serializer = serializer;
    }

    @Override
    public String apply(Row row) {
      return Hashing.murmur3_128().hashBytes(serializer.apply(row)).toString();
    }
  }
}
