package dev.freshet.sql.window;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * Numbers the rows of one partition as SQL's {@code ROW_NUMBER()}, {@code RANK()} and {@code
 * DENSE_RANK()} do, given the partition's {@code ORDER BY}.
 *
 * <p>Ties: rows equal on every {@code ORDER BY} key share a {@code RANK} and a {@code DENSE_RANK};
 * {@code ROW_NUMBER} gives them consecutive numbers in the ascending order of their other columns,
 * left to right, so a query's result does not depend on the order rows arrived in (Flink leaves that
 * order undefined). Columns of types without an order (arrays, maps, rows, bytes) are not used to
 * break ties.
 */
final class RowNumbering implements Serializable {
  private static final long serialVersionUID = 1L;

  /** A numbering function. */
  enum Function {
    ROW_NUMBER, RANK, DENSE_RANK
  }

  /** One {@code ORDER BY} key. */
  static final class OrderKey implements Serializable {
    private static final long serialVersionUID = 1L;
    final int field;
    final boolean descending;
    final boolean nullsFirst;

    OrderKey(int field, boolean descending, boolean nullsFirst) {
      this.field = field;
      this.descending = descending;
      this.nullsFirst = nullsFirst;
    }

    @Override
    public String toString() {
      return "$" + field + (descending ? " DESC" : "") + (nullsFirst ? " NULLS FIRST" : " NULLS LAST");
    }
  }

  private final ImmutableList<OrderKey> orderKeys;
  private final ImmutableList<Function> functions;

  RowNumbering(List<OrderKey> orderKeys, List<Function> functions) {
    checkArgument(!functions.isEmpty(), "no numbering function");
    this.orderKeys = ImmutableList.copyOf(orderKeys);
    this.functions = ImmutableList.copyOf(functions);
  }

  /**
   * The rows of one partition in order, each followed by one number per function, as rows of
   * {@code outputSchema}; only those whose every number is at most {@code limit} (use {@code
   * Long.MAX_VALUE} for all).
   */
  List<Row> number(Iterable<Row> partition, Schema outputSchema, long limit) {
    List<Row> rows = new ArrayList<>();
    partition.forEach(rows::add);
    rows.sort(comparator());
    Comparator<Row> byOrderKeys = orderKeysComparator();
    List<Row> out = new ArrayList<>();
    long rank = 0;
    long denseRank = 0;
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      if (i == 0 || byOrderKeys.compare(rows.get(i - 1), row) != 0) {
        rank = i + 1;
        denseRank++;
      }
      long smallest = Long.MAX_VALUE;
      List<Object> values = new ArrayList<>(row.getValues());
      for (Function function : functions) {
        long number = function == Function.ROW_NUMBER ? i + 1 : function == Function.RANK ? rank : denseRank;
        values.add(number);
        smallest = Math.min(smallest, number);
      }
      if (smallest > limit) {
        // Numbers only grow along the sorted rows: nothing after this row can pass either.
        break;
      }
      if (numbersWithin(values, row.getFieldCount(), limit)) {
        out.add(Row.withSchema(outputSchema).attachValues(values));
      }
    }
    return out;
  }

  private static boolean numbersWithin(List<Object> values, int from, long limit) {
    for (int i = from; i < values.size(); i++) {
      if ((Long) values.get(i) > limit) {
        return false;
      }
    }
    return true;
  }

  private Comparator<Row> orderKeysComparator() {
    Comparator<Row> comparator = (a, b) -> 0;
    for (OrderKey key : orderKeys) {
      comparator = comparator.thenComparing((a, b) -> compareKey(key, a, b));
    }
    return comparator;
  }

  /** The order keys, then every other orderable column ascending, for a deterministic ROW_NUMBER. */
  private Comparator<Row> comparator() {
    return orderKeysComparator().thenComparing(RowNumbering::compareAllColumns);
  }

  private static int compareKey(OrderKey key, Row a, Row b) {
    Object x = a.getValue(key.field);
    Object y = b.getValue(key.field);
    if (x == null || y == null) {
      if (x == y) {
        return 0;
      }
      return (x == null) == key.nullsFirst ? -1 : 1;
    }
    int order = compareValues(x, y);
    return key.descending ? -order : order;
  }

  private static int compareAllColumns(Row a, Row b) {
    for (int i = 0; i < a.getFieldCount(); i++) {
      Object x = a.getValue(i);
      Object y = b.getValue(i);
      if (x == y) {
        continue;
      }
      if (x == null || y == null) {
        return x == null ? -1 : 1;
      }
      if (x instanceof Comparable && x.getClass().equals(y.getClass())) {
        int order = compareValues(x, y);
        if (order != 0) {
          return order;
        }
      }
    }
    return 0;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compareValues(Object x, Object y) {
    if (x instanceof org.joda.time.ReadableInstant && y instanceof org.joda.time.ReadableInstant) {
      return Long.compare(((org.joda.time.ReadableInstant) x).getMillis(), ((org.joda.time.ReadableInstant) y).getMillis());
    }
    if (x instanceof Comparable) {
      return ((Comparable) x).compareTo(y);
    }
    throw new IllegalArgumentException("cannot order by a value of type " + x.getClass().getSimpleName());
  }

  @Override
  public String toString() {
    return functions + " ORDER BY " + orderKeys;
  }
}
