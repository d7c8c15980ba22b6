package dev.freshet.sql.firehose;

import java.util.Collections;
import java.util.Map;
import org.apache.beam.sdk.extensions.sql.meta.BeamSqlTable;
import org.apache.beam.sdk.extensions.sql.meta.Table;
import org.apache.beam.sdk.extensions.sql.meta.provider.TableProvider;

/**
 * The {@code firehose} table type of Beam SQL: a delivery stream that {@code INSERT INTO} writes
 * to, through {@link dev.freshet.transforms.firehose.FirehoseDelivery} (buffering, compression,
 * prefixes, local folders or an S3 API).
 *
 * <pre>{@code
 * CREATE EXTERNAL TABLE page_views_out (page VARCHAR, window_start TIMESTAMP, views BIGINT)
 * TYPE firehose
 * LOCATION 'page-views'                                  -- the delivery stream name; required
 * TBLPROPERTIES '{"destination": "file:///data/lake",    -- or s3://bucket; required
 *                 "bufferSize": 5, "bufferInterval": "60s", "compression": "GZIP",
 *                 "prefix": "views/", "format": "json"}'
 * }</pre>
 *
 * <p>Each row is one record: a JSON object of every column (default) or a CSV line, followed by a
 * newline ({@code "appendDelimiter": false} leaves it out). {@code bufferSize} is in MiB (1–128,
 * default 5), {@code bufferInterval} a duration (0–900 s, default 300 s); {@code compression} is
 * one of UNCOMPRESSED (default), GZIP, ZIP, SNAPPY, HADOOP_SNAPPY; {@code prefix} and {@code
 * errorOutputPrefix} take Firehose's expressions ({@code !{timestamp:yyyy/MM/dd}}). An {@code
 * s3://bucket} destination takes {@code s3Endpoint}, {@code s3Region} and {@code s3PathStyle}, and
 * the AWS SDK's default credentials.
 *
 * <p>Properties are parsed when the table is created; a bad one is refused naming it, and nothing
 * is stored. Delivery is at-least-once, as {@code FirehoseDelivery}'s. The table cannot be read.
 */
public final class FirehoseTableProvider implements TableProvider {
  /** The table type, as in {@code CREATE EXTERNAL TABLE ... TYPE firehose}. */
  public static final String TABLE_TYPE = "firehose";

  @Override
  public String getTableType() {
    return TABLE_TYPE;
  }

  @Override
  public void createTable(Table table) {
    FirehoseTableConfig.parse(table);
  }

  @Override
  public void dropTable(String tableName) {
    // Dropping a table leaves what it delivered alone.
  }

  @Override
  public Map<String, Table> getTables() {
    return Collections.emptyMap();
  }

  @Override
  public BeamSqlTable buildBeamSqlTable(Table table) {
    return new FirehoseTable(FirehoseTableConfig.parse(table));
  }
}
