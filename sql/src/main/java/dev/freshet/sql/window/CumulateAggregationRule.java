package dev.freshet.sql.window;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamLogicalConvention;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptRule;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptRuleCall;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.Aggregate;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.Project;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexCall;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexLiteral;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexNode;
import org.joda.time.Duration;

/**
 * Plans {@code GROUP BY ..., CUMULATE(time, step, max)} as a {@link CumulateAggregationRel}, the way
 * Beam's {@code BeamAggregationRule} plans {@code TUMBLE}, {@code HOP} and {@code SESSION}: the
 * group key's expression becomes the time column, and the aggregate windows by it.
 */
final class CumulateAggregationRule extends RelOptRule {
  static final CumulateAggregationRule INSTANCE = new CumulateAggregationRule();

  private CumulateAggregationRule() {
    super(operand(Aggregate.class, operand(Project.class, any())), "FreshetCumulateAggregationRule");
  }

  @Override
  public void onMatch(RelOptRuleCall call) {
    Aggregate aggregate = call.rel(0);
    Project project = call.rel(1);
    if (aggregate.getGroupType() != Aggregate.Group.SIMPLE || aggregate instanceof CumulateAggregationRel) {
      return;
    }
    List<RexNode> projects = new ArrayList<>(project.getProjects());
    CumulativeWindows windows = null;
    int windowField = -1;
    for (int field : aggregate.getGroupSet().asList()) {
      RexNode expression = projects.get(field);
      if (expression instanceof RexCall && CumulateFunction.NAME.equalsIgnoreCase(((RexCall) expression).getOperator().getName())) {
        List<RexNode> operands = ((RexCall) expression).getOperands();
        if (windows != null) {
          throw new UnsupportedOperationException("GROUP BY can hold only one CUMULATE window");
        }
        windows = CumulativeWindows.of(duration(operands.get(1), "step"), duration(operands.get(2), "max"));
        windowField = field;
        // The function's type is a nullable TIMESTAMP; the column may be NOT NULL.
        RexNode time = operands.get(0);
        projects.set(field, time.getType().equals(expression.getType())
            ? time : aggregate.getCluster().getRexBuilder().makeCast(expression.getType(), time, true, false));
      }
    }
    if (windows == null) {
      return;
    }
    Project timeColumn = project.copy(project.getTraitSet(), project.getInput(), projects, project.getRowType());
    call.transformTo(new CumulateAggregationRel(aggregate.getCluster(),
        aggregate.getTraitSet().replace(BeamLogicalConvention.INSTANCE),
        convert(timeColumn, timeColumn.getTraitSet().replace(BeamLogicalConvention.INSTANCE)),
        aggregate.getGroupSet(), aggregate.getAggCallList(), windows, windowField));
  }

  private static Duration duration(RexNode operand, String name) {
    if (!(operand instanceof RexLiteral)) {
      throw new IllegalArgumentException("CUMULATE's " + name + " must be an interval literal such as "
          + "INTERVAL '1' MINUTE, but was: " + operand);
    }
    return Duration.millis(((Number) RexLiteral.value(operand)).longValue());
  }
}
