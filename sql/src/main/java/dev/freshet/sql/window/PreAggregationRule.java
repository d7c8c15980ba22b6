package dev.freshet.sql.window;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamLogicalConvention;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptRule;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptRuleCall;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.Aggregate;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.AggregateCall;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.Project;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexCall;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexLiteral;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexNode;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.sql.SqlKind;
import org.joda.time.Duration;

/**
 * Plans {@code GROUP BY ..., TUMBLE(...)} and {@code HOP(...)} aggregates whose functions are all
 * {@code COUNT}, {@code SUM}, {@code MIN}, {@code MAX} or {@code AVG} (no {@code DISTINCT}, no
 * {@code FILTER}) as a {@link PreAggregatedWindowRel}: the same windows and functions as Beam's
 * {@code BeamAggregationRule} gives, with a partial combine per bundle before the shuffle.
 * {@code SESSION} windows, other functions and aggregates without a window stay with Beam's rules.
 */
final class PreAggregationRule extends RelOptRule {
  static final PreAggregationRule INSTANCE = new PreAggregationRule();

  /** Functions whose partial results Beam SQL's combine functions merge exactly. */
  private static final Set<SqlKind> COMBINABLE =
      EnumSet.of(SqlKind.COUNT, SqlKind.SUM, SqlKind.SUM0, SqlKind.MIN, SqlKind.MAX, SqlKind.AVG);

  private PreAggregationRule() {
    super(operand(Aggregate.class, operand(Project.class, any())), "FreshetPreAggregationRule");
  }

  @Override
  public void onMatch(RelOptRuleCall call) {
    Aggregate aggregate = call.rel(0);
    Project project = call.rel(1);
    if (aggregate.getGroupType() != Aggregate.Group.SIMPLE || aggregate instanceof PreAggregatedWindowRel
        || !combinable(aggregate.getAggCallList())) {
      return;
    }
    List<RexNode> projects = new ArrayList<>(project.getProjects());
    WindowFn<Row, IntervalWindow> windowFn = null;
    int windowField = -1;
    for (int field : aggregate.getGroupSet().asList()) {
      RexNode expression = projects.get(field);
      if (!(expression instanceof RexCall)) {
        continue;
      }
      RexCall window = (RexCall) expression;
      WindowFn<Row, IntervalWindow> fn = windowFn(window);
      if (window.getKind() == SqlKind.SESSION) {
        return; // merging windows: Beam's plan
      }
      if (fn != null) {
        windowFn = fn;
        windowField = field;
        projects.set(field, window.getOperands().get(0));
      }
    }
    if (windowFn == null) {
      return;
    }
    Project timeColumn = project.copy(project.getTraitSet(), project.getInput(), projects, project.getRowType());
    call.transformTo(new PreAggregatedWindowRel(aggregate.getCluster(),
        aggregate.getTraitSet().replace(BeamLogicalConvention.INSTANCE),
        convert(timeColumn, timeColumn.getTraitSet().replace(BeamLogicalConvention.INSTANCE)),
        aggregate.getGroupSet(), aggregate.getGroupSets(), aggregate.getAggCallList(), windowFn, windowField));
  }

  static boolean combinable(List<AggregateCall> calls) {
    if (calls.isEmpty()) {
      return false;
    }
    for (AggregateCall call : calls) {
      if (call.isDistinct() || call.hasFilter() || call.isApproximate()
          || !COMBINABLE.contains(call.getAggregation().getKind())) {
        return false;
      }
    }
    return true;
  }

  /** As Beam's {@code BeamAggregationRule}: TUMBLE(time, size [, offset]), HOP(time, period, size [, offset]). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static WindowFn<Row, IntervalWindow> windowFn(RexCall call) {
    List<RexNode> operands = call.getOperands();
    switch (call.getKind()) {
      case TUMBLE: {
        FixedWindows windows = FixedWindows.of(duration(operands.get(1)));
        return (WindowFn) (operands.size() == 3 ? windows.withOffset(duration(operands.get(2))) : windows);
      }
      case HOP: {
        SlidingWindows windows = SlidingWindows.of(duration(operands.get(2))).every(duration(operands.get(1)));
        return (WindowFn) (operands.size() == 4 ? windows.withOffset(duration(operands.get(3))) : windows);
      }
      default:
        return null;
    }
  }

  private static Duration duration(RexNode operand) {
    if (!(operand instanceof RexLiteral)) {
      throw new IllegalArgumentException("a window's size, period and offset must be interval literals such as "
          + "INTERVAL '1' MINUTE, but was: " + operand);
    }
    return Duration.millis(((Number) RexLiteral.value(operand)).longValue());
  }
}
