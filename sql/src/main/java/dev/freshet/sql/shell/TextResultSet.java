package dev.freshet.sql.shell;

import java.lang.reflect.Proxy;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Types;
import java.util.List;
import javax.sql.rowset.RowSetMetaDataImpl;

/**
 * A read-once result of text columns, for what the shell answers itself ({@code SET;}); it has just
 * what sqlline's output formats read.
 */
final class TextResultSet {
  private TextResultSet() {}

  static ResultSet of(List<String> columns, List<List<String>> rows) throws SQLException {
    RowSetMetaDataImpl meta = new RowSetMetaDataImpl();
    meta.setColumnCount(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      meta.setColumnName(i + 1, columns.get(i));
      meta.setColumnLabel(i + 1, columns.get(i));
      meta.setColumnType(i + 1, Types.VARCHAR);
      meta.setColumnTypeName(i + 1, "VARCHAR");
      meta.setColumnDisplaySize(i + 1, 64);
    }
    int[] position = {-1};
    boolean[] closed = {false};
    return (ResultSet) Proxy.newProxyInstance(TextResultSet.class.getClassLoader(), new Class<?>[] {ResultSet.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "next" -> ++position[0] < rows.size();
          case "getString", "getObject" -> rows.get(position[0]).get(column(args[0], columns));
          case "findColumn" -> column(args[0], columns) + 1;
          case "getMetaData" -> meta;
          case "wasNull" -> false;
          case "isClosed" -> closed[0];
          case "close" -> {
            closed[0] = true;
            yield null;
          }
          case "getWarnings", "getStatement" -> null;
          case "clearWarnings", "setFetchSize", "setFetchDirection" -> null;
          case "getType" -> ResultSet.TYPE_FORWARD_ONLY;
          case "getConcurrency" -> ResultSet.CONCUR_READ_ONLY;
          case "getFetchSize" -> 0;
          case "getFetchDirection" -> ResultSet.FETCH_FORWARD;
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "TextResultSet" + columns;
          case "unwrap", "isWrapperFor" -> throw new SQLFeatureNotSupportedException(method.getName());
          default -> throw new SQLFeatureNotSupportedException(method.getName() + " of a shell result");
        });
  }

  private static int column(Object indexOrLabel, List<String> columns) throws SQLException {
    if (indexOrLabel instanceof Integer index) {
      return index - 1;
    }
    int index = columns.indexOf(String.valueOf(indexOrLabel));
    if (index < 0) {
      throw new SQLException("no column " + indexOrLabel + "; columns: " + columns);
    }
    return index;
  }
}
