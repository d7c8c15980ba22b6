package dev.freshet.transforms.firehose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The COPY statements and the rows COPY reads, for each format. */
class CopyOptionsTest {
  private static List<byte[]> records(String... texts) {
    return java.util.Arrays.stream(texts).map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
  }

  private static String rows(CopyOptions options, List<String> columns, String... texts) throws Exception {
    return new String(options.rows(records(texts), columns), StandardCharsets.UTF_8);
  }

  @Test
  void statementsCarryTheRedshiftOptionsPostgresqlUnderstands() {
    assertThat(CopyOptions.text().copyStatement("t", List.of()))
        .isEqualTo("COPY t FROM STDIN WITH (FORMAT text, DELIMITER E'|')");
    assertThat(CopyOptions.csv().withDelimiter(';').withQuote('\'').withNullAs("NA").copyStatement("s.t", List.of("a", "b")))
        .isEqualTo("COPY s.t (a, b) FROM STDIN WITH (FORMAT csv, DELIMITER E';', QUOTE E'\\'', NULL E'NA')");
    assertThat(CopyOptions.jsonAuto().copyStatement("t", List.of("\"a\"")))
        .isEqualTo("COPY t (\"a\") FROM STDIN WITH (FORMAT csv, DELIMITER E',')");
  }

  @Test
  void textAndCsvRecordsBecomeLines() throws Exception {
    assertThat(rows(CopyOptions.text(), List.of(), "1|a", "2|b\n", "")).isEqualTo("1|a\n2|b\n\n");
  }

  @Test
  void jsonAutoMatchesKeysToColumnsAsRedshiftDoes() throws Exception {
    List<String> columns = List.of("id", "name", "\"Meta\"", "missing");
    assertThat(rows(CopyOptions.jsonAuto(), columns,
        "{\"id\":1,\"name\":\"say \\\"hi\\\", ok\",\"Meta\":{\"k\":[1,2]},\"extra\":true}",
        "{\"id\":2,\"name\":null,\"NAME\":\"ignored: case differs\"}"))
        .isEqualTo("\"1\",\"say \"\"hi\"\", ok\",\"{\"\"k\"\":[1,2]}\",\n\"2\",,,\n");
    assertThat(rows(CopyOptions.jsonAutoIgnoreCase(), List.of("id", "name"), "{\"ID\":3,\"Name\":\"x\"}"))
        .isEqualTo("\"3\",\"x\"\n");
  }

  @Test
  void aRecordThatIsNotAJsonObjectFailsTheBatch() {
    assertThatThrownBy(() -> rows(CopyOptions.jsonAuto(), List.of("id"), "{\"id\":1}", "[1]"))
        .isInstanceOf(CopyOptions.BadDataException.class).hasMessage("record 2 of the batch is not a JSON object");
    assertThatThrownBy(() -> rows(CopyOptions.jsonAuto(), List.of("id"), "{\"id\":"))
        .isInstanceOf(CopyOptions.BadDataException.class).hasMessageStartingWith("record 1 of the batch is not JSON");
  }
}
