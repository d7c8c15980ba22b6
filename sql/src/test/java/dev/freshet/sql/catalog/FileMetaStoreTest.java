package dev.freshet.sql.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.extensions.sql.TableUtils;
import org.apache.beam.sdk.extensions.sql.meta.BeamSqlTable;
import org.apache.beam.sdk.extensions.sql.meta.Table;
import org.apache.beam.sdk.extensions.sql.meta.provider.TableProvider;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog's files: what is stored, what comes back after a restart, and what is refused. */
class FileMetaStoreTest {
  @TempDir Path dir;

  /** A provider that records what it was asked and refuses tables whose location is "bad". */
  static final class CheckingProvider implements TableProvider {
    final List<String> calls = new ArrayList<>();

    @Override
    public String getTableType() {
      return "test";
    }

    @Override
    public void createTable(Table table) {
      if ("bad".equals(table.getLocation())) {
        throw new IllegalArgumentException("bad location");
      }
      calls.add("create " + table.getName());
    }

    @Override
    public void dropTable(String tableName) {
      calls.add("drop " + tableName);
    }

    @Override
    public Map<String, Table> getTables() {
      return Collections.emptyMap();
    }

    @Override
    public BeamSqlTable buildBeamSqlTable(Table table) {
      throw new UnsupportedOperationException();
    }
  }

  private static final Schema EVERY_TYPE = Schema.builder()
      .addNullableField("s", FieldType.STRING)
      .addField("i", FieldType.INT32)
      .addNullableField("l", FieldType.INT64)
      .addNullableField("d", FieldType.DOUBLE)
      .addNullableField("dec", FieldType.DECIMAL)
      .addNullableField("b", FieldType.BOOLEAN)
      .addNullableField("ts", FieldType.DATETIME)
      .addNullableField("day", FieldType.logicalType(SqlTypes.DATE))
      .addNullableField("tags", FieldType.array(FieldType.STRING.withNullable(true)))
      .addNullableField("attrs", FieldType.map(FieldType.STRING, FieldType.INT64.withNullable(true)))
      .addNullableField("point", FieldType.row(Schema.builder()
          .addNullableField("x", FieldType.DOUBLE).addNullableField("y", FieldType.DOUBLE).build()))
      .addField(Schema.Field.nullable("bytes", FieldType.BYTES).withDescription("raw"))
      .build();

  private static Table table(String name, String location) {
    return Table.builder().type("test").name(name).location(location).schema(EVERY_TYPE).comment("a table")
        .properties(TableUtils.parseProperties("{\"format\": \"json\", \"n\": 3}")).build();
  }

  @Test
  void aTableComesBackAfterARestartAsItWasCreated() throws Exception {
    FileMetaStore store = FileMetaStore.open(dir);
    CheckingProvider provider = new CheckingProvider();
    store.registerProvider(provider);
    Table created = table("clicks", "clickstream");
    store.createTable(created);
    assertThat(provider.calls).containsExactly("create clicks");
    assertThat(dir.resolve("clicks.json")).exists();
    assertThat(Files.readString(dir.resolve("clicks.json"), StandardCharsets.UTF_8))
        .contains("\"location\" : \"clickstream\"").contains("\"format\" : \"json\"");

    FileMetaStore reopened = FileMetaStore.open(dir);
    Table loaded = reopened.getTable("clicks");
    assertThat(loaded).isNotNull();
    assertThat(loaded.getSchema()).isEqualTo(EVERY_TYPE);
    assertThat(loaded.getSchema().getField("bytes").getDescription()).isEqualTo("raw");
    assertThat(loaded.getType()).isEqualTo("test");
    assertThat(loaded.getLocation()).isEqualTo("clickstream");
    assertThat(loaded.getComment()).isEqualTo("a table");
    assertThat(loaded.getProperties()).isEqualTo(created.getProperties());
    // listed even before its type's provider is registered again
    assertThat(reopened.getTables()).containsOnlyKeys("clicks");
    assertThatThrownBy(() -> reopened.buildBeamSqlTable(loaded)).hasMessageContaining("type test");
  }

  @Test
  void dropDeletesTheFileAndTellsTheProvider() {
    FileMetaStore store = FileMetaStore.open(dir);
    CheckingProvider provider = new CheckingProvider();
    store.registerProvider(provider);
    store.createTable(table("a", "x"));
    store.createTable(table("b", "y"));
    store.dropTable("a");
    assertThat(provider.calls).containsExactly("create a", "create b", "drop a");
    assertThat(dir.resolve("a.json")).doesNotExist();
    assertThat(FileMetaStore.open(dir).getTables()).containsOnlyKeys("b");
    assertThatThrownBy(() -> store.dropTable("a")).hasMessageContaining("no such table: a");
  }

  @Test
  void refusedTablesLeaveTheCatalogAsItWas() throws Exception {
    FileMetaStore store = FileMetaStore.open(dir);
    store.registerProvider(new CheckingProvider());
    store.createTable(table("kept", "x"));
    assertThatThrownBy(() -> store.createTable(table("kept", "z"))).hasMessageContaining("already exists");
    assertThatThrownBy(() -> store.createTable(table("refused", "bad"))).hasMessageContaining("bad location");
    Table otherType = table("other", "x").toBuilder().type("kafka").build();
    assertThatThrownBy(() -> store.createTable(otherType)).hasMessageContaining("kafka").hasMessageContaining("test");
    Schema interval = Schema.builder().addNullableField("t", FieldType.logicalType(SqlTypes.UUID)).build();
    assertThatThrownBy(() -> store.createTable(table("uuid", "x").toBuilder().schema(interval).build()))
        .hasMessageContaining("column t").hasMessageContaining("cannot store");
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("kept.json");
    }
    assertThat(Files.readString(dir.resolve("kept.json"))).contains("\"location\" : \"x\"");
  }

  @Test
  void namesThatAreNotFileNamesAreEncoded() {
    assertThat(FileMetaStore.fileName("clicks_2026-01")).isEqualTo("clicks_2026-01.json");
    assertThat(FileMetaStore.fileName("../x")).isEqualTo("%2E%2E%2Fx.json");
    assertThat(FileMetaStore.fileName("é")).isEqualTo("%C3%A9.json");
    FileMetaStore store = FileMetaStore.open(dir);
    store.registerProvider(new CheckingProvider());
    store.createTable(table("My Table", "x"));
    assertThat(FileMetaStore.open(dir).getTables()).containsOnlyKeys("My Table");
  }

  @Test
  void anUnreadableFileIsReportedByName() throws Exception {
    Files.writeString(dir.resolve("broken.json"), "{\"version\": 1, \"name\": \"broken\"");
    assertThatThrownBy(() -> FileMetaStore.open(dir)).hasMessageContaining("broken.json");
    Files.writeString(dir.resolve("broken.json"), "{\"version\": 99}");
    assertThatThrownBy(() -> FileMetaStore.open(dir)).hasMessageContaining("version 99");
  }
}
