package dev.freshet.sql.firehose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sql.FreshetSql;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code firehose} table's properties: parsed when the table is created, errors naming the property, nothing stored. */
class FirehoseTableConfigTest {
  @TempDir Path dir;
  FreshetSql sql;

  @BeforeEach
  void open() {
    sql = FreshetSql.open(dir);
  }

  String create(String location, String properties) {
    return "CREATE EXTERNAL TABLE sink (page VARCHAR, views BIGINT) TYPE firehose LOCATION '" + location + "'"
        + " TBLPROPERTIES '" + properties + "'";
  }

  void refused(String location, String properties, String... message) {
    assertThatThrownBy(() -> sql.execute(create(location, properties)))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).contains(message));
    assertThat(sql.tables()).doesNotContainKey("sink");
    assertThat(FreshetSql.open(dir).tables()).doesNotContainKey("sink");
  }

  @Test
  void aGoodDefinitionIsStoredAndParsedIntoTheDeliverySpec() {
    String destination = dir.resolve("lake").toUri().toString();
    sql.execute(create("page-views", "{\"destination\": \"" + destination + "\", \"bufferSize\": 2, "
        + "\"bufferInterval\": \"90s\", \"compression\": \"gzip\", \"prefix\": \"views/\", \"format\": \"CSV\"}"));
    assertThat(FreshetSql.open(dir).tables()).containsKey("sink");
    FirehoseTableConfig config = FirehoseTableConfig.parse(sql.tables().get("sink"));
    assertThat(config.format.name()).isEqualTo("CSV");
    assertThat(config.delivery.toString()).isNotEmpty();
  }

  @Test
  void badPropertiesAreRefusedNamingThem() {
    String destination = "\"destination\": \"" + dir.resolve("lake").toUri() + "\"";
    refused("page-views", "{}", "needs table property 'destination'");
    refused("page views", "{" + destination + "}", "LOCATION of firehose table sink", "page views");
    refused("v", "{\"destination\": \"ftp://host/x\"}", "'destination' must be a file:///folder or s3://bucket");
    refused("v", "{\"destination\": \"s3://bucket/some/key\"}", "must name only a bucket");
    refused("v", "{" + destination + ", \"s3Endpoint\": \"http://localhost:1\"}", "are for an s3:// destination");
    refused("v", "{" + destination + ", \"bufferSize\": 200}", "table property 'bufferSize'", "between 1 and 128 MiB");
    refused("v", "{" + destination + ", \"bufferSize\": \"big\"}", "table property 'bufferSize' must be a whole number");
    refused("v", "{" + destination + ", \"bufferInterval\": \"20m\"}", "table property 'bufferInterval'", "900 s");
    refused("v", "{" + destination + ", \"bufferInterval\": \"soon\"}", "table property 'bufferInterval' must be a duration");
    refused("v", "{" + destination + ", \"compression\": \"LZ4\"}", "table property 'compression' must be one of", "GZIP");
    refused("v", "{" + destination + ", \"format\": \"avro\"}", "table property 'format'", "must be json or csv");
    refused("v", "{" + destination + ", \"appendDelimiter\": \"yes\"}", "'appendDelimiter' must be true or false");
    refused("v", "{" + destination + ", \"BufferSize\": 5}", "unknown table property 'BufferSize'", "did you mean 'bufferSize'?");
  }
}
