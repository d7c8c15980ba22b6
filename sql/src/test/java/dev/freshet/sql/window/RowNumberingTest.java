package dev.freshet.sql.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

/** The numbering of one partition: order keys, NULLs, ties, and the Top-N limit. */
class RowNumberingTest {
  static final Schema IN = Schema.builder().addNullableField("page", Schema.FieldType.STRING)
      .addNullableField("views", Schema.FieldType.INT64).build();
  static final Schema OUT = Schema.builder().addFields(IN.getFields())
      .addInt64Field("rn").addInt64Field("rk").addInt64Field("drk").build();

  static final RowNumbering BY_VIEWS_DESC = new RowNumbering(
      List.of(new RowNumbering.OrderKey(1, true, false)),
      List.of(RowNumbering.Function.ROW_NUMBER, RowNumbering.Function.RANK, RowNumbering.Function.DENSE_RANK));

  static List<Row> rows(Object... pagesAndViews) {
    Row[] rows = new Row[pagesAndViews.length / 2];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = Row.withSchema(IN).addValues(pagesAndViews[2 * i], pagesAndViews[2 * i + 1]).build();
    }
    return Arrays.asList(rows);
  }

  static List<String> numbered(RowNumbering numbering, List<Row> rows, long limit) {
    return numbering.number(rows, OUT, limit).stream()
        .map(row -> row.getValues().stream().map(String::valueOf).collect(Collectors.joining(" ")))
        .collect(Collectors.toList());
  }

  @Test
  void tiesShareRanksAndGetRowNumbersInTheOrderOfTheOtherColumns() {
    List<Row> rows = rows("/d", 1L, "/c", 2L, "/a", 3L, "/b", 2L, "/e", 1L);
    assertThat(numbered(BY_VIEWS_DESC, rows, Long.MAX_VALUE)).containsExactly(
        "/a 3 1 1 1", "/b 2 2 2 2", "/c 2 3 2 2", "/d 1 4 4 3", "/e 1 5 4 3");
  }

  @Test
  void theLimitKeepsRowsWhoseEveryNumberIsWithinIt() {
    List<Row> rows = rows("/d", 1L, "/c", 2L, "/a", 3L, "/b", 2L);
    // ROW_NUMBER stops at 2, so /c (row number 3) goes although its rank is 2.
    assertThat(numbered(BY_VIEWS_DESC, rows, 2)).containsExactly("/a 3 1 1 1", "/b 2 2 2 2");
    RowNumbering rankOnly = new RowNumbering(List.of(new RowNumbering.OrderKey(1, true, false)),
        List.of(RowNumbering.Function.RANK));
    Schema rankOut = Schema.builder().addFields(IN.getFields()).addInt64Field("rk").build();
    assertThat(rankOnly.number(rows, rankOut, 2)).extracting(row -> row.getString("page")).containsExactly("/a", "/b", "/c");
    assertThat(numbered(BY_VIEWS_DESC, rows, 0)).isEmpty();
  }

  @Test
  void nullsGoWhereTheOrderKeySays() {
    List<Row> rows = rows("/x", null, "/a", 3L, "/b", 1L);
    assertThat(numbered(BY_VIEWS_DESC, rows, Long.MAX_VALUE)).extracting(line -> line.split(" ")[0])
        .containsExactly("/a", "/b", "/x");
    RowNumbering nullsFirst = new RowNumbering(List.of(new RowNumbering.OrderKey(1, false, true)),
        List.of(RowNumbering.Function.ROW_NUMBER, RowNumbering.Function.RANK, RowNumbering.Function.DENSE_RANK));
    assertThat(numbered(nullsFirst, rows, Long.MAX_VALUE)).containsExactly(
        "/x null 1 1 1", "/b 1 2 2 2", "/a 3 3 3 3");
  }
}
