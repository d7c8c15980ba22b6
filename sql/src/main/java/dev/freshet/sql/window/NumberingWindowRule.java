package dev.freshet.sql.window;

import java.util.EnumSet;
import java.util.Set;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamLogicalConvention;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptRule;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptRuleCall;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.RelNode;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.Window;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.logical.LogicalWindow;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.sql.SqlKind;

/**
 * Converts a {@link LogicalWindow} whose only functions are {@code ROW_NUMBER}, {@code RANK} and
 * {@code DENSE_RANK} into a {@link NumberingWindowRel}, which Beam's own {@code BeamWindowRule}
 * cannot plan over an unbounded input (it leaves its input unconverted, so the plan's cost stays
 * infinite and Calcite gives up with "There are not enough rules"). Windows with other functions
 * ({@code SUM(x) OVER ...}) are left to Beam's rule.
 */
final class NumberingWindowRule extends RelOptRule {
  static final NumberingWindowRule INSTANCE = new NumberingWindowRule();

  static final Set<SqlKind> NUMBERING = EnumSet.of(SqlKind.ROW_NUMBER, SqlKind.RANK, SqlKind.DENSE_RANK);

  private NumberingWindowRule() {
    super(operand(LogicalWindow.class, any()), "FreshetNumberingWindowRule");
  }

  @Override
  public void onMatch(RelOptRuleCall call) {
    Window window = call.rel(0);
    if (window.groups.size() != 1) {
      return;
    }
    for (Window.RexWinAggCall function : window.groups.get(0).aggCalls) {
      if (!NUMBERING.contains(function.getOperator().getKind())) {
        return;
      }
    }
    RelNode input = window.getInput();
    call.transformTo(new NumberingWindowRel(
        window.getCluster(),
        window.getTraitSet().replace(BeamLogicalConvention.INSTANCE),
        convert(input, input.getTraitSet().replace(BeamLogicalConvention.INSTANCE)),
        window.getConstants(),
        window.getRowType(),
        window.groups));
  }
}
