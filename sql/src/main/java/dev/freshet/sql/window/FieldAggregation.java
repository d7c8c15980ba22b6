package dev.freshet.sql.window;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.extensions.sql.impl.transform.agg.AggregationCombineFnAdapter;
import org.apache.beam.sdk.extensions.sql.impl.utils.CalciteUtils;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.AggregateCall;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.util.ImmutableBitSet;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.util.Pair;

/**
 * One aggregate call of a windowed aggregate: its input fields, Beam SQL's combine function for it,
 * and its output field. Shared by Freshet's own aggregate rels ({@link PreAggregatedWindowRel},
 * {@link CumulateAggregationRel}), which build their transforms from the same calls and group keys.
 */
final class FieldAggregation implements Serializable {
  private static final long serialVersionUID = 1L;

  final List<Integer> inputs;
  final CombineFn<?, ?, ?> combineFn;
  final Schema.Field outputField;

  private FieldAggregation(AggregateCall call, String alias) {
    inputs = new ArrayList<>(call.getArgList());
    outputField = CalciteUtils.toField(alias, call.getType());
    combineFn = AggregationCombineFnAdapter.createCombineFn(call, outputField, call.getAggregation().getName());
  }

  /** Every named call of an aggregate, in order. */
  static List<FieldAggregation> of(List<Pair<AggregateCall, String>> namedCalls) {
    List<FieldAggregation> aggregations = new ArrayList<>();
    for (Pair<AggregateCall, String> call : namedCalls) {
      aggregations.add(new FieldAggregation(call.getKey(), call.getValue()));
    }
    return aggregations;
  }

  /** The group's key fields: every grouped field but the window's. */
  static List<Integer> groupKeys(ImmutableBitSet groupSet, int windowField) {
    List<Integer> keys = new ArrayList<>();
    for (int field : groupSet.asList()) {
      if (field != windowField) {
        keys.add(field);
      }
    }
    return keys;
  }
}
