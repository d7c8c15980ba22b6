package dev.freshet.sql.catalog;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.extensions.sql.meta.BeamSqlTable;
import org.apache.beam.sdk.extensions.sql.meta.Table;
import org.apache.beam.sdk.extensions.sql.meta.provider.TableProvider;
import org.apache.beam.sdk.extensions.sql.meta.store.MetaStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Beam SQL {@link MetaStore} that keeps every {@code CREATE EXTERNAL TABLE} as a JSON file, so
 * tables survive restarts: {@code <data-dir>/sql/catalog/<table>.json}. {@code DROP TABLE} deletes
 * the file; the stream behind the table is left alone.
 *
 * <pre>{@code
 * FileMetaStore catalog = FileMetaStore.open(dataDir.resolve("sql/catalog"));
 * catalog.registerProvider(KinesisTableProvider.withDefaultEndpoint(endpoint));
 * BeamSqlEnv env = BeamSqlEnv.builder(catalog).setPipelineOptions(options).build();
 * }</pre>
 *
 * <p>A definition is checked by its table type's provider before it is stored, and written to a
 * temporary file that is then renamed over the final one, so a crash leaves either the old catalog
 * or the new one, never a torn file. Tables whose type has no registered provider are kept and
 * listed, and fail only when a query uses them. The folder is read once, when the store is opened:
 * two processes creating tables in the same folder do not see each other's until they reopen it.
 */
public final class FileMetaStore implements MetaStore {
  private static final Logger LOG = LoggerFactory.getLogger(FileMetaStore.class);
  private static final String SUFFIX = ".json";

  private final Path folder;
  private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final Map<String, Table> tables = new TreeMap<>();
  private final Map<String, TableProvider> providers = new LinkedHashMap<>();

  private FileMetaStore(Path folder) {
    this.folder = folder;
  }

  /**
   * Opens the catalog in {@code folder}, creating the folder if needed, and loads every table in it.
   *
   * @throws IllegalStateException naming the file when a stored definition cannot be read
   */
  public static FileMetaStore open(Path folder) {
    checkNotNull(folder, "folder");
    FileMetaStore store = new FileMetaStore(folder.toAbsolutePath().normalize());
    store.load();
    return store;
  }

  private void load() {
    try {
      Files.createDirectories(folder);
      try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*" + SUFFIX)) {
        for (Path file : files) {
          Table table;
          try {
            table = TableJson.fromJson(mapper.readTree(file.toFile()));
          } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("SQL catalog file " + file + " cannot be read: " + e.getMessage(), e);
          }
          checkStateNamed(file, table);
          tables.put(table.getName(), table);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the SQL catalog in " + folder, e);
    }
    LOG.info("Opened SQL catalog {} with {} tables", folder, tables.size());
  }

  private void checkStateNamed(Path file, Table table) {
    if (!file.getFileName().toString().equals(fileName(table.getName()))) {
      throw new IllegalStateException("SQL catalog file " + file + " holds table " + table.getName()
          + ", which belongs in " + fileName(table.getName()));
    }
  }

  /** The folder the definitions are kept in. */
  public Path folder() {
    return folder;
  }

  @Override
  public String getTableType() {
    return "freshet-catalog";
  }

  @Override
  public synchronized void createTable(Table table) {
    checkNotNull(table, "table");
    TableProvider provider = providers.get(table.getType());
    checkArgument(provider != null, "table type %s is not supported; supported types: %s",
        table.getType(), providers.keySet());
    checkArgument(!tables.containsKey(table.getName()), "table %s already exists", table.getName());
    provider.createTable(table); // checks the definition before anything is stored
    write(table);
    tables.put(table.getName(), table);
    LOG.info("Created SQL table {} of type {} at {}", table.getName(), table.getType(), table.getLocation());
  }

  @Override
  public synchronized void dropTable(String tableName) {
    Table table = tables.get(tableName);
    checkArgument(table != null, "no such table: %s", tableName);
    TableProvider provider = providers.get(table.getType());
    if (provider != null) {
      provider.dropTable(tableName);
    }
    try {
      Files.deleteIfExists(folder.resolve(fileName(tableName)));
      fsyncFolder();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot drop table " + tableName + " from the SQL catalog in " + folder, e);
    }
    tables.remove(tableName);
    LOG.info("Dropped SQL table {}", tableName);
  }

  @Override
  public synchronized Map<String, Table> getTables() {
    return ImmutableMap.copyOf(tables);
  }

  @Override
  public synchronized @Nullable Table getTable(String tableName) {
    return tables.get(tableName);
  }

  @Override
  public synchronized BeamSqlTable buildBeamSqlTable(Table table) {
    TableProvider provider = providers.get(table.getType());
    checkArgument(provider != null, "table %s has type %s, which is not supported here; supported types: %s",
        table.getName(), table.getType(), providers.keySet());
    return provider.buildBeamSqlTable(table);
  }

  @Override
  public synchronized boolean supportsPartitioning(Table table) {
    TableProvider provider = providers.get(table.getType());
    return provider != null && provider.supportsPartitioning(table);
  }

  /**
   * Registers the provider of a table type. A provider registered again for the same type replaces
   * the earlier one (as when a catalog is shared by several SQL environments).
   */
  @Override
  public synchronized void registerProvider(TableProvider provider) {
    checkNotNull(provider, "provider");
    providers.put(provider.getTableType(), provider);
  }

  @Override
  public synchronized Map<String, TableProvider> tableProviders() {
    return ImmutableMap.copyOf(providers);
  }

  private void write(Table table) {
    Path target = folder.resolve(fileName(table.getName()));
    Path temp = folder.resolve("." + target.getFileName() + ".tmp");
    try {
      JsonNode json = TableJson.toJson(mapper, table);
      byte[] bytes = mapper.writeValueAsBytes(json);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        channel.write(java.nio.ByteBuffer.wrap(bytes));
        channel.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsyncFolder();
    } catch (IOException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new UncheckedIOException("cannot store table " + table.getName() + " in the SQL catalog in " + folder, e);
    }
  }

  private void fsyncFolder() throws IOException {
    try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems cannot open a folder for reading; the rename is still atomic there.
      LOG.debug("Cannot fsync {}: {}", folder, e.toString());
    }
  }

  /** The file of a table: its name with anything but letters, digits, '_' and '-' percent-encoded. */
  static String fileName(String tableName) {
    StringBuilder name = new StringBuilder();
    tableName.codePoints().forEach(c -> {
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
        name.appendCodePoint(c);
      } else {
        for (byte b : new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8)) {
          name.append(String.format("%%%02X", b & 0xff));
        }
      }
    });
    return name + SUFFIX;
  }
}
