package dev.freshet.sql.window;

import org.apache.beam.sdk.extensions.sql.impl.rule.BeamBasicAggregationRule;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptRuleCall;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.RelNode;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.Aggregate;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.Calc;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.Project;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.RelFactories;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexCall;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexNode;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexProgram;
import org.jspecify.annotations.Nullable;

/**
 * Beam's {@link BeamBasicAggregationRule}, except for aggregates grouped by {@code CUMULATE(...)}:
 * Beam's rule skips TUMBLE, HOP and SESSION keys but not Freshet's, and would plan them as an
 * aggregate without a window over a computed column, which cannot run. {@link
 * CumulateAggregationRule} plans those. The key is looked for in a {@code Project} input, and in a
 * {@code Calc} input, which is how the planner of Beam's JDBC driver (the shell's) also sees it.
 */
final class BasicAggregationRule extends BeamBasicAggregationRule {
  static final BasicAggregationRule INSTANCE = new BasicAggregationRule();

  private BasicAggregationRule() {
    super(Aggregate.class, RelFactories.LOGICAL_BUILDER);
  }

  @Override
  public boolean matches(RelOptRuleCall call) {
    Aggregate aggregate = call.rel(0);
    RelNode input = call.rel(1);
    for (int field : aggregate.getGroupSet().asList()) {
      if (isCumulate(keyExpression(input, field))) {
        return false;
      }
    }
    return super.matches(call);
  }

  /**
   * The expression of group key {@code field} when the aggregate's input computes it: a {@code
   * Project}, or a {@code Calc}, which is what the planner of Beam's JDBC driver (the shell's) makes
   * of a {@code Project} with Calcite's {@code ProjectToCalcRule}; else null.
   */
  private static @Nullable RexNode keyExpression(RelNode input, int field) {
    if (input instanceof Project project) {
      return project.getProjects().get(field);
    }
    if (input instanceof Calc calc) {
      RexProgram program = calc.getProgram();
      return program.expandLocalRef(program.getProjectList().get(field));
    }
    return null;
  }

  private static boolean isCumulate(@Nullable RexNode key) {
    return key instanceof RexCall call && CumulateFunction.NAME.equalsIgnoreCase(call.getOperator().getName());
  }
}
