package dev.freshet.sql.window;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.beam.sdk.extensions.sql.SqlTransform;
import org.apache.beam.sdk.extensions.sql.impl.CalciteQueryPlanner;
import org.apache.beam.sdk.extensions.sql.impl.JdbcConnection;
import org.apache.beam.sdk.extensions.sql.impl.QueryPlanner;
import org.apache.beam.sdk.extensions.sql.impl.planner.BeamRuleSets;
import org.apache.beam.sdk.extensions.sql.impl.rule.BeamBasicAggregationRule;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptRule;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.tools.RuleSet;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.tools.RuleSets;

/**
 * Beam SQL's Calcite planner with Freshet's rules and functions added: Top-N per window ({@code
 * ROW_NUMBER()}, {@code RANK()}, {@code DENSE_RANK()} over windowed input, see {@link
 * NumberingWindowRel}), {@code CUMULATE} windows (see {@link CumulativeWindows}), and {@code TUMBLE} and
 * {@code HOP} aggregates combined in two phases, partly before the shuffle (see {@link
 * PreAggregatedWindowRel}).
 *
 * <p>Use it wherever Beam plans SQL: {@code BeamSqlEnv.builder(...).setQueryPlannerClassName(
 * FreshetQueryPlanner.class.getName())} or {@code SqlTransform.query(q).withQueryPlannerClass(
 * FreshetQueryPlanner.class)}; {@code FreshetSql} does.
 */
public final class FreshetQueryPlanner extends CalciteQueryPlanner {
  /** The factory Beam looks up by reflection ({@code BeamSqlEnv}, {@link SqlTransform}). */
  public static final QueryPlanner.Factory FACTORY = (connection, ruleSets) -> {
    // Beam's factory loads the built-in functions into the connection's schema; ours comes on top.
    CalciteQueryPlanner.FACTORY.createPlanner(connection, ruleSets);
    CumulateFunction.register(connection);
    return new FreshetQueryPlanner(connection, withFreshetRules(ruleSets));
  };

  private FreshetQueryPlanner(JdbcConnection connection, Collection<RuleSet> ruleSets) {
    super(connection, ruleSets);
  }

  private static final java.util.concurrent.atomic.AtomicBoolean JDBC_HOOK = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Adds Freshet's rules and functions to a connection of Beam's JDBC driver ({@code
   * JdbcDriver.connect(...)}, as the shell uses), whose planner is not built by {@link #FACTORY}:
   * registers {@code CUMULATE} in the connection's schema, and, once per JVM, adds the rules to every
   * planner Calcite builds for JDBC statements (Calcite's {@code Hook.PLANNER}, which is also how
   * Beam's driver adds its own rules).
   */
  public static void installInJdbc(JdbcConnection connection) {
    CumulateFunction.register(connection);
    if (JDBC_HOOK.compareAndSet(false, true)) {
      org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.runtime.Hook.PLANNER.add(
          (java.util.function.Consumer<org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptPlanner>)
              planner -> {
                if (planner.removeRule(BeamBasicAggregationRule.INSTANCE)) {
                  planner.addRule(BasicAggregationRule.INSTANCE);
                }
                rules().forEach(planner::addRule);
              });
    }
  }

  /** Freshet's planner rules. */
  public static List<RelOptRule> rules() {
    return ImmutableList.of(NumberingWindowRule.INSTANCE, TopNFilterRule.INSTANCE, CumulateAggregationRule.INSTANCE,
        PreAggregationRule.INSTANCE);
  }

  /**
   * {@code ruleSets} (Beam's, as {@link BeamRuleSets#getRuleSets()} gives them) with Freshet's rules
   * in each, and Beam's basic aggregation rule replaced by one that leaves {@code CUMULATE} alone.
   */
  public static Collection<RuleSet> withFreshetRules(Collection<RuleSet> ruleSets) {
    List<RuleSet> out = new ArrayList<>();
    for (RuleSet ruleSet : ruleSets) {
      List<RelOptRule> rules = new ArrayList<>();
      for (RelOptRule rule : ruleSet) {
        rules.add(rule == BeamBasicAggregationRule.INSTANCE ? BasicAggregationRule.INSTANCE : rule);
      }
      rules.addAll(rules());
      out.add(RuleSets.ofList(rules));
    }
    return out;
  }

}
