package dev.freshet.sdk.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

class RowParserFnTest {
  private static final Schema SCHEMA = Schema.builder()
      .addStringField("page")
      .addInt64Field("views")
      .addNullableField("ratio", Schema.FieldType.DOUBLE)
      .addBooleanField("bot")
      .build();

  @Test
  void splitsRfc4180Lines() {
    assertThat(RowParserFn.splitCsv("a,b,c")).containsExactly("a", "b", "c");
    assertThat(RowParserFn.splitCsv("\"a,b\",\"say \"\"hi\"\"\",")).containsExactly("a,b", "say \"hi\"", null);
    assertThat(RowParserFn.splitCsv("\"\",x\r\n")).containsExactly("", "x");
    assertThatThrownBy(() -> RowParserFn.splitCsv("\"open,x")).hasMessageContaining("unterminated");
  }

  @Test
  void convertsFieldsByType() {
    Row row = RowParserFn.csvRow(SCHEMA, "/home,42,,true");
    assertThat(row.getString("page")).isEqualTo("/home");
    assertThat(row.getInt64("views")).isEqualTo(42L);
    assertThat(row.getDouble("ratio")).isNull();
    assertThat(row.getBoolean("bot")).isTrue();
  }

  @Test
  void namesTheFieldThatDoesNotFit() {
    assertThatThrownBy(() -> RowParserFn.csvRow(SCHEMA, "/home,many,1.0,false"))
        .hasMessageContaining("views").hasMessageContaining("many");
    assertThatThrownBy(() -> RowParserFn.csvRow(SCHEMA, "/home,1"))
        .hasMessageContaining("expected 4 fields, found 2");
    assertThatThrownBy(() -> RowParserFn.csvRow(SCHEMA, ",1,1.0,false"))
        .hasMessageContaining("page").hasMessageContaining("not nullable");
    assertThatThrownBy(() -> RowParserFn.csvRow(SCHEMA, "/,1,1.0,maybe"))
        .hasMessageContaining("bot");
  }
}
