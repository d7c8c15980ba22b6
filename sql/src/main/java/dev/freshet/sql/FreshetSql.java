package dev.freshet.sql;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.sdk.stream.StreamClients;
import dev.freshet.sql.catalog.FileMetaStore;
import dev.freshet.sql.firehose.FirehoseTableProvider;
import dev.freshet.sql.kinesis.KinesisTableProvider;
import dev.freshet.sql.window.FreshetQueryPlanner;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.sql.SqlTransform;
import org.apache.beam.sdk.extensions.sql.impl.BeamSqlEnv;
import org.apache.beam.sdk.extensions.sql.impl.ParseException;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamSqlRelUtils;
import org.apache.beam.sdk.extensions.sql.meta.Table;
import org.apache.beam.sdk.extensions.sql.meta.store.MetaStore;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * Beam SQL over Freshet streams, with the {@code kinesis} and {@code firehose} table types and a
 * catalog that keeps table definitions in the data folder.
 *
 * <pre>{@code
 * FreshetSql sql = FreshetSql.open(Path.of("/var/lib/freshet"));   // catalog in <dir>/sql/catalog
 * sql.execute("CREATE EXTERNAL TABLE clicks (user_id VARCHAR, page VARCHAR, event_time TIMESTAMP) "
 *     + "TYPE kinesis LOCATION 'clickstream' "
 *     + "TBLPROPERTIES '{\"timestampField\": \"event_time\", \"watermarkDelay\": \"5s\"}'");
 *
 * Pipeline pipeline = Pipeline.create(options);
 * PCollection<Row> views = sql.query(pipeline,
 *     "SELECT page, TUMBLE_START(event_time, INTERVAL '1' MINUTE) AS minute, COUNT(*) AS views "
 *         + "FROM clicks GROUP BY page, TUMBLE(event_time, INTERVAL '1' MINUTE)");
 * pipeline.run();
 * }</pre>
 *
 * <p>Tables created here survive restarts ({@link FileMetaStore}); {@code DROP TABLE} forgets them.
 * Tables without an {@code endpoint} property read the store of the data folder ({@code file:}),
 * which pipelines in this JVM share with anything else that opened it. Queries are planned by Beam's
 * Calcite planner, with Freshet's additions ({@link FreshetQueryPlanner}: Top-N per window and
 * {@code CUMULATE} windows), and run on whatever runner the pipeline has: the Direct runner or Flink.
 */
public final class FreshetSql {
  /** Where the catalog lives inside a data folder. */
  public static final String CATALOG_FOLDER = "sql/catalog";

  private final FileMetaStore catalog;
  private final KinesisTableProvider kinesis;

  private FreshetSql(FileMetaStore catalog, KinesisTableProvider kinesis) {
    this.catalog = catalog;
    this.kinesis = kinesis;
    catalog.registerProvider(kinesis);
    catalog.registerProvider(new FirehoseTableProvider());
  }

  /**
   * SQL over the data folder {@code dataDir}: the catalog in {@code <dataDir>/sql/catalog}, and
   * {@code file:<dataDir>} as the endpoint of tables that name none.
   */
  public static FreshetSql open(Path dataDir) {
    checkNotNull(dataDir, "dataDir");
    return open(dataDir.resolve(CATALOG_FOLDER), StreamClients.endpointOf(dataDir));
  }

  /**
   * SQL with the catalog in {@code catalogFolder} and {@code defaultEndpoint} for tables that name no
   * endpoint (such as {@code http://localhost:4567} for a {@code freshet server}).
   */
  public static FreshetSql open(Path catalogFolder, URI defaultEndpoint) {
    checkNotNull(catalogFolder, "catalogFolder");
    return new FreshetSql(FileMetaStore.open(catalogFolder), KinesisTableProvider.withDefaultEndpoint(defaultEndpoint));
  }

  /** The catalog, as a Beam {@link MetaStore} with the {@code kinesis} provider registered. */
  public MetaStore catalog() {
    return catalog;
  }

  /** The tables in the catalog, by name. */
  public Map<String, Table> tables() {
    return catalog.getTables();
  }

  /**
   * Runs one DDL statement against the catalog: {@code CREATE EXTERNAL TABLE} (stored) or {@code
   * DROP TABLE} (forgotten).
   *
   * @throws IllegalArgumentException when the statement is not DDL, does not parse, or names a bad
   *     table property; the catalog is then unchanged
   */
  public void execute(String ddl) {
    checkNotNull(ddl, "ddl");
    BeamSqlEnv env = env(PipelineOptionsFactory.create());
    try {
      checkArgument(env.isDdl(ddl), "not a DDL statement (CREATE EXTERNAL TABLE or DROP TABLE): %s", ddl);
      env.executeDdl(ddl);
    } catch (ParseException e) {
      throw new IllegalArgumentException("cannot parse " + ddl + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw unwrap(e);
    }
  }

  /**
   * Adds a query (or an {@code INSERT INTO}) over the catalog's tables to {@code pipeline} and returns
   * its rows. The pipeline's options choose the runner and are handed to Beam SQL.
   */
  public PCollection<Row> query(Pipeline pipeline, String sql) {
    checkNotNull(pipeline, "pipeline");
    checkNotNull(sql, "sql");
    BeamSqlEnv env = env(pipeline.getOptions());
    try {
      return BeamSqlRelUtils.toPCollection(pipeline, env.parseQuery(sql));
    } catch (ParseException e) {
      throw new IllegalArgumentException("cannot parse " + sql + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw unwrap(e);
    }
  }

  /** The schema under which {@link #transform} sees the catalog's tables. */
  public static final String SCHEMA = "freshet";

  /**
   * A {@link SqlTransform} for {@code query}, for pipelines that query their own PCollections
   * ({@code PCOLLECTION}, or the tags of a {@code PCollectionTuple}) together with the catalog's
   * tables, which it names {@code freshet.<table>}:
   *
   * <pre>{@code
   * orders.apply(sql.transform(
   *     "SELECT o.sku, o.qty * p.price FROM PCOLLECTION o JOIN freshet.prices p ON o.sku = p.sku"));
   * }</pre>
   */
  public SqlTransform transform(String query) {
    checkNotNull(query, "query");
    return SqlTransform.query(query).withTableProvider(SCHEMA, catalog)
        .withQueryPlannerClass(FreshetQueryPlanner.class);
  }

  /** A Beam SQL environment over this catalog, for the shell and tools that plan SQL themselves. */
  public BeamSqlEnv env(PipelineOptions options) {
    checkNotNull(options, "options");
    return BeamSqlEnv.builder(catalog).setPipelineOptions(options)
        .setQueryPlannerClassName(FreshetQueryPlanner.class.getName()).build();
  }

  /**
   * Calcite wraps the provider's IllegalArgumentException several levels deep; the caller gets the
   * message that names the property rather than "Error while executing SQL".
   */
  private static RuntimeException unwrap(RuntimeException e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
      if (cause instanceof IllegalArgumentException) {
        return new IllegalArgumentException(cause.getMessage(), e);
      }
    }
    return e;
  }
}
