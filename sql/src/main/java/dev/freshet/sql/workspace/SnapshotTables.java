package dev.freshet.sql.workspace;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableMap;
import dev.freshet.sql.kinesis.KinesisTableProvider;
import java.util.Map;
import org.apache.beam.sdk.extensions.sql.meta.BeamSqlTable;
import org.apache.beam.sdk.extensions.sql.meta.Table;
import org.apache.beam.sdk.extensions.sql.meta.provider.TableProvider;
import org.apache.beam.sdk.extensions.sql.meta.store.MetaStore;
import org.jspecify.annotations.Nullable;

/**
 * The catalog's tables as a snapshot query sees them: every {@code kinesis} table reads what its
 * stream holds now ({@code "read": "snapshot"}: from the trim horizon up to the moment the query is
 * built, then ends), whatever its own {@code read} says. {@code startingPosition} and {@code
 * consumer} are dropped for the query (a snapshot starts at the trim horizon and reads by polling, so
 * a query from the console registers no consumer). Other table types are as in the catalog. Read
 * only: tables are created and dropped with {@code freshet sql}.
 */
final class SnapshotTables implements MetaStore {
  private final MetaStore catalog;

  SnapshotTables(MetaStore catalog) {
    this.catalog = catalog;
  }

  @Override
  public String getTableType() {
    return "freshet-snapshot";
  }

  @Override
  public void createTable(Table table) {
    throw new UnsupportedOperationException("the SQL console does not create tables: use freshet sql");
  }

  @Override
  public void dropTable(String tableName) {
    throw new UnsupportedOperationException("the SQL console does not drop tables: use freshet sql");
  }

  @Override
  public Map<String, Table> getTables() {
    ImmutableMap.Builder<String, Table> tables = ImmutableMap.builder();
    catalog.getTables().forEach((name, table) -> tables.put(name, snapshot(table)));
    return tables.build();
  }

  @Override
  public @Nullable Table getTable(String tableName) {
    Table table = catalog.getTable(tableName);
    return table == null ? null : snapshot(table);
  }

  @Override
  public BeamSqlTable buildBeamSqlTable(Table table) {
    return catalog.buildBeamSqlTable(table);
  }

  /**
   * A {@link MetaStore} rather than a plain provider: Beam's SQL environment wraps a plain provider
   * in a metastore of its own, which then knows no table types. Providers are the catalog's.
   */
  @Override
  public void registerProvider(TableProvider provider) {
    throw new UnsupportedOperationException("the snapshot view uses the catalog's table types");
  }

  @Override
  public Map<String, TableProvider> tableProviders() {
    return catalog.tableProviders();
  }

  @Override
  public boolean supportsPartitioning(Table table) {
    return catalog.supportsPartitioning(table);
  }

  static Table snapshot(Table table) {
    if (!table.getType().equalsIgnoreCase(KinesisTableProvider.TABLE_TYPE)) {
      return table;
    }
    ObjectNode properties = table.getProperties().deepCopy();
    properties.put("read", "snapshot");
    properties.remove("startingPosition");
    properties.remove("consumer");
    return table.toBuilder().properties(properties).build();
  }
}
