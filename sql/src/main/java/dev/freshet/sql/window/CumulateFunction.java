package dev.freshet.sql.window;

import com.google.common.collect.ImmutableList;
import java.util.List;
import org.apache.beam.sdk.extensions.sql.impl.JdbcConnection;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.adapter.enumerable.CallImplementor;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.avatica.util.TimeUnit;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.type.RelDataType;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.schema.FunctionParameter;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.schema.ImplementableFunction;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.schema.ScalarFunction;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.sql.SqlIntervalQualifier;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.sql.type.SqlTypeName;

/**
 * The SQL function {@code CUMULATE(time, step, max)}: a {@code GROUP BY} window function like Beam
 * SQL's {@code TUMBLE(time, size)} and {@code HOP(time, slide, size)}, whose value is the end of the
 * cumulative window. {@link CumulateAggregationRule} turns the {@code GROUP BY} into {@link
 * CumulativeWindows}; anywhere else the call cannot be planned, and says so.
 */
final class CumulateFunction implements ScalarFunction, ImplementableFunction {
  static final String NAME = "CUMULATE";

  static void register(JdbcConnection connection) {
    connection.getCurrentSchemaPlus().add(NAME, new CumulateFunction());
  }

  @Override
  public RelDataType getReturnType(RelDataTypeFactory types) {
    return types.createTypeWithNullability(types.createSqlType(SqlTypeName.TIMESTAMP), true);
  }

  @Override
  public List<FunctionParameter> getParameters() {
    return ImmutableList.of(parameter(0, "time", false), parameter(1, "step", true), parameter(2, "max", true));
  }

  private static FunctionParameter parameter(int ordinal, String name, boolean interval) {
    return new FunctionParameter() {
      @Override
      public int getOrdinal() {
        return ordinal;
      }

      @Override
      public String getName() {
        return name;
      }

      @Override
      public RelDataType getType(RelDataTypeFactory types) {
        return interval
            ? types.createSqlIntervalType(new SqlIntervalQualifier(TimeUnit.DAY, TimeUnit.SECOND, SqlParserPos.ZERO))
            : types.createSqlType(SqlTypeName.TIMESTAMP);
      }

      @Override
      public boolean isOptional() {
        return false;
      }
    };
  }

  @Override
  public CallImplementor getImplementor() {
    return (translator, call, nullAs) -> {
      throw new UnsupportedOperationException("CUMULATE(time, step, max) is a window: use it in GROUP BY, "
          + "as GROUP BY key, CUMULATE(event_time, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)");
    };
  }
}
