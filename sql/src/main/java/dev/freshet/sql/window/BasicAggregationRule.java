package dev.freshet.sql.window;

import org.apache.beam.sdk.extensions.sql.impl.rule.BeamBasicAggregationRule;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptRuleCall;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.RelNode;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.Aggregate;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.Project;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.RelFactories;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexCall;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexNode;

/**
 * Beam's {@link BeamBasicAggregationRule}, except for aggregates grouped by {@code CUMULATE(...)}:
 * Beam's rule skips TUMBLE, HOP and SESSION keys but not Freshet's, and would plan them as an
 * aggregate without a window over a computed column, which cannot run. {@link
 * CumulateAggregationRule} plans those.
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
    if (input instanceof Project) {
      for (int field : aggregate.getGroupSet().asList()) {
        RexNode key = ((Project) input).getProjects().get(field);
        if (key instanceof RexCall
            && CumulateFunction.NAME.equalsIgnoreCase(((RexCall) key).getOperator().getName())) {
          return false;
        }
      }
    }
    return super.matches(call);
  }
}
