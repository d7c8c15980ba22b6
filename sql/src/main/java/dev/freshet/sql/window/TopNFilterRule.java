package dev.freshet.sql.window;

import java.math.BigDecimal;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamCalcRel;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptRule;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptRuleCall;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptUtil;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexCall;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexInputRef;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexLiteral;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexNode;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexProgram;

/**
 * Recognises Top-N: a filter {@code rn <= N} (or {@code rn < N}, {@code rn = 1}) on a number of a
 * {@link NumberingWindowRel}, and gives the numbering that limit, so each partition emits at most
 * its first {@code N} rows instead of all of them. The filter stays above: it is still right, and a
 * numbering with several functions keeps only rows within the limit on all of them.
 */
final class TopNFilterRule extends RelOptRule {
  static final TopNFilterRule INSTANCE = new TopNFilterRule();

  private TopNFilterRule() {
    super(operand(BeamCalcRel.class, operand(NumberingWindowRel.class, any())), "FreshetTopNFilterRule");
  }

  @Override
  public void onMatch(RelOptRuleCall call) {
    BeamCalcRel calc = call.rel(0);
    NumberingWindowRel numbering = call.rel(1);
    RexProgram program = calc.getProgram();
    if (program.getCondition() == null) {
      return;
    }
    long limit = Long.MAX_VALUE;
    RexNode condition = program.expandLocalRef(program.getCondition());
    for (RexNode conjunct : RelOptUtil.conjunctions(condition)) {
      limit = Math.min(limit, limitOf(conjunct, numbering.firstNumberField()));
    }
    if (limit >= numbering.limit()) {
      return;
    }
    call.transformTo(calc.copy(calc.getTraitSet(), numbering.withLimit(limit), program));
  }

  /** {@code N} when the condition is {@code number <= N}, {@code number < N + 1} or {@code number = N}. */
  private static long limitOf(RexNode condition, int firstNumberField) {
    if (!(condition instanceof RexCall) || ((RexCall) condition).getOperands().size() != 2) {
      return Long.MAX_VALUE;
    }
    RexCall comparison = (RexCall) condition;
    RexNode left = comparison.getOperands().get(0);
    RexNode right = comparison.getOperands().get(1);
    boolean flipped = false;
    if (left instanceof RexLiteral && right instanceof RexInputRef) {
      RexNode swap = left;
      left = right;
      right = swap;
      flipped = true;
    }
    if (!(left instanceof RexInputRef) || !(right instanceof RexLiteral)
        || ((RexInputRef) left).getIndex() < firstNumberField) {
      return Long.MAX_VALUE;
    }
    BigDecimal value = ((RexLiteral) right).getValueAs(BigDecimal.class);
    if (value == null) {
      return Long.MAX_VALUE;
    }
    long n = value.setScale(0, java.math.RoundingMode.FLOOR).longValue();
    switch (flipped ? comparison.getKind().reverse() : comparison.getKind()) {
      case LESS_THAN_OR_EQUAL:
      case EQUALS:
        return Math.max(n, 0);
      case LESS_THAN:
        return Math.max(value.setScale(0, java.math.RoundingMode.CEILING).longValue() - 1, 0);
      default:
        return Long.MAX_VALUE;
    }
  }
}
