package dev.freshet.sql.kinesis;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.net.URI;
import java.util.Collections;
import java.util.Map;
import org.apache.beam.sdk.extensions.sql.meta.BeamSqlTable;
import org.apache.beam.sdk.extensions.sql.meta.Table;
import org.apache.beam.sdk.extensions.sql.meta.provider.TableProvider;
import org.jspecify.annotations.Nullable;

/**
 * The {@code kinesis} table type of Beam SQL: a Freshet stream (or any Kinesis Data Streams
 * endpoint) as a table, read and written through {@link dev.freshet.sdk.io.StreamIO}.
 *
 * <pre>{@code
 * CREATE EXTERNAL TABLE clicks (
 *   user_id VARCHAR, page VARCHAR, event_time TIMESTAMP,     -- data columns, from each record's data
 *   partition_key VARCHAR, arrival_time TIMESTAMP            -- metadata columns, optional
 * )
 * TYPE kinesis
 * LOCATION 'clickstream'                                     -- the stream; required
 * TBLPROPERTIES '{"format": "json", "timestampField": "event_time", "watermarkDelay": "5s",
 *                 "read": "snapshot", "endpoint": "file:///var/lib/freshet"}'
 * }</pre>
 *
 * <p>{@code format} is json (the default), csv or avro; {@code timestampField} gives rows their
 * event time (default: arrival time); {@code watermarkDelay} is the out-of-orderness allowed
 * (default 0); {@code read} is follow (the default) or snapshot; {@code endpoint} defaults to the
 * provider's.
 *
 * <p>Properties are parsed when the table is created, and a table that does not parse is refused with
 * an error naming the property. The whole list is in {@code docs/sql.md}.
 *
 * <p><b>Watermarks.</b> With {@code timestampField}, a row's event timestamp is that column's value
 * (the arrival time when it is NULL), and the watermark is, per shard, the newest event time read
 * minus {@code watermarkDelay}; windows of TUMBLE, HOP and SESSION close on it. Without it, rows are
 * timestamped with their arrival time.
 *
 * <p><b>Reading.</b> {@code "read": "follow"} (the default) is unbounded and starts at {@code
 * startingPosition} (default {@code latest}). {@code "read": "snapshot"} is bounded: it reads
 * every record that arrived before the query started, from the trim horizon, and ends.
 *
 * <p><b>Writing.</b> {@code INSERT INTO} writes each row's data columns in the table's format. The
 * partition key is the column named by {@code partitionKey}, else a declared {@code partition_key}
 * column, else a hash of the record's data. Delivery is at-least-once, as with {@code
 * StreamIO.write()}.
 */
public final class KinesisTableProvider implements TableProvider {
  /** The table type, as in {@code CREATE EXTERNAL TABLE ... TYPE kinesis}. */
  public static final String TABLE_TYPE = "kinesis";

  private final @Nullable URI defaultEndpoint;

  /** A provider whose tables must each name their {@code endpoint}. */
  public KinesisTableProvider() {
    this.defaultEndpoint = null;
  }

  private KinesisTableProvider(URI defaultEndpoint) {
    this.defaultEndpoint = defaultEndpoint;
  }

  /**
   * A provider whose tables without an {@code endpoint} property use {@code endpoint}, such as the
   * {@code file:} URI of the data folder the shell was started on.
   */
  public static KinesisTableProvider withDefaultEndpoint(URI endpoint) {
    checkNotNull(endpoint, "endpoint");
    checkArgument(endpoint.getScheme() != null, "endpoint must have a scheme (file:, http:, https:), but was: %s", endpoint);
    return new KinesisTableProvider(endpoint);
  }

  @Override
  public String getTableType() {
    return TABLE_TYPE;
  }

  /** Checks the definition; the table itself is kept by the metastore that called this. */
  @Override
  public void createTable(Table table) {
    KinesisTableConfig.parse(table, defaultEndpoint);
  }

  @Override
  public void dropTable(String tableName) {
    // Nothing to release: dropping a table leaves its stream alone.
  }

  @Override
  public Map<String, Table> getTables() {
    return Collections.emptyMap();
  }

  @Override
  public BeamSqlTable buildBeamSqlTable(Table table) {
    return new KinesisTable(KinesisTableConfig.parse(table, defaultEndpoint));
  }
}
