package dev.freshet.sql.window;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.extensions.sql.impl.planner.BeamCostModel;
import org.apache.beam.sdk.extensions.sql.impl.planner.BeamRelMetadataQuery;
import org.apache.beam.sdk.extensions.sql.impl.planner.NodeStats;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamRelNode;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamSqlRelUtils;
import org.apache.beam.sdk.extensions.sql.impl.utils.CalciteUtils;
import org.apache.beam.sdk.schemas.Schema;

import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptCluster;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptPlanner;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelTraitSet;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.RelNode;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.RelWriter;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.Aggregate;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.AggregateCall;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.util.ImmutableBitSet;
import org.joda.time.Duration;

/**
 * An aggregate over {@link CumulativeWindows}: {@code GROUP BY key, CUMULATE(time, step, max)}.
 * Rows are stamped with their time column and windowed; each key's aggregate is combined per
 * window, and the window column holds the window's end. Beam's {@code BeamAggregationRel} does the
 * same for its three window kinds, but accepts no other {@code WindowFn}.
 */
final class CumulateAggregationRel extends Aggregate implements BeamRelNode {
  private final CumulativeWindows windows;
  private final int windowField;

  CumulateAggregationRel(RelOptCluster cluster, RelTraitSet traits, RelNode input, ImmutableBitSet groupSet,
      List<AggregateCall> aggCalls, CumulativeWindows windows, int windowField) {
    super(cluster, traits, List.of(), input, groupSet, null, aggCalls);
    this.windows = windows;
    this.windowField = windowField;
  }

  @Override
  public Aggregate copy(RelTraitSet traitSet, RelNode input, ImmutableBitSet groupSet,
      List<ImmutableBitSet> groupSets, List<AggregateCall> aggCalls) {
    return new CumulateAggregationRel(getCluster(), traitSet, input, groupSet, aggCalls, windows, windowField);
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw).item("window", windows + " on $" + windowField);
  }

  @Override
  public NodeStats estimateNodeStats(BeamRelMetadataQuery mq) {
    NodeStats input = cumulated(BeamSqlRelUtils.getNodeStats(getInput(), mq));
    return input.multiply(1.0 - Math.pow(.5, Math.max(groupSet.cardinality() - 1, 1)));
  }

  @Override
  public BeamCostModel beamComputeSelfCost(RelOptPlanner planner, BeamRelMetadataQuery mq) {
    // Beam's BeamBasicAggregationRule also matches this aggregate, as one without a window over a
    // computed CUMULATE(...) column, which cannot run; a cost below its (input × (1 + 0.125 per
    // aggregate)) makes the planner take this one.
    NodeStats input = BeamSqlRelUtils.getNodeStats(getInput(), mq);
    double multiplier = (1 + aggCalls.size() * 0.125) / 2;
    return BeamCostModel.FACTORY.makeCost(input.getRowCount() * multiplier, input.getRate() * multiplier);
  }

  /** Each row is in up to max / step windows; on average about half as many. */
  private NodeStats cumulated(NodeStats input) {
    double copies = (windows.getMaxSize().getMillis() / (double) windows.getStep().getMillis() + 1) / 2;
    return NodeStats.create(input.getRowCount() * copies, input.getRate() * copies, input.getWindow());
  }

  @Override
  public PTransform<PCollectionList<Row>, PCollection<Row>> buildPTransform() {
    List<FieldAggregation> aggregations = FieldAggregation.of(getNamedAggCalls());
    List<Integer> keys = FieldAggregation.groupKeys(groupSet, windowField);
    return new Transform(windows, windowField, keys, aggregations, CalciteUtils.toSchema(getRowType()));
  }


  private static final class Transform extends PTransform<PCollectionList<Row>, PCollection<Row>> {
    private final CumulativeWindows windows;
    private final int windowField;
    private final List<Integer> keys;
    private final List<FieldAggregation> aggregations;
    private final Schema outputSchema;

    Transform(CumulativeWindows windows, int windowField, List<Integer> keys, List<FieldAggregation> aggregations,
        Schema outputSchema) {
      this.windows = windows;
      this.windowField = windowField;
      this.keys = keys;
      this.aggregations = aggregations;
      this.outputSchema = outputSchema;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public PCollection<Row> expand(PCollectionList<Row> inputs) {
      PCollection<Row> input = inputs.get(0);
      int timeField = windowField;
      PCollection<Row> stamped = input
          .apply("EventTime", WithTimestamps.<Row>of(row -> row.getDateTime(timeField).toInstant())
              .withAllowedTimestampSkew(Duration.millis(Long.MAX_VALUE)));
      stamped.setCoder(input.getCoder());
      PCollection<Row> windowed =
          stamped.apply("Cumulate", Window.<Row>into(windows));
      org.apache.beam.sdk.schemas.transforms.Group.AggregateCombiner<Row> combiner =
          org.apache.beam.sdk.schemas.transforms.Group.byFieldIds(keys);
      for (FieldAggregation aggregation : aggregations) {
        combiner = aggregation.inputs.size() == 1
            ? combiner.aggregateField(aggregation.inputs.get(0), (CombineFn) aggregation.combineFn, aggregation.outputField)
            : combiner.aggregateFieldsById(aggregation.inputs, (CombineFn) aggregation.combineFn, aggregation.outputField);
      }
      return windowed.apply("Aggregate", (PTransform<PCollection<Row>, PCollection<Row>>) (PTransform) combiner)
          .apply("WindowEnd", ParDo.of(new MergeFn(outputSchema, windowField, aggregations.isEmpty())))
          .setRowSchema(outputSchema);
    }
  }

  /** The key's fields, the window's end at the window column, then the aggregates. */
  private static final class MergeFn extends DoFn<Row, Row> {
    private final Schema outputSchema;
    private final int windowField;
    private final boolean noAggregates;

    MergeFn(Schema outputSchema, int windowField, boolean noAggregates) {
      this.outputSchema = outputSchema;
      this.windowField = windowField;
      this.noAggregates = noAggregates;
    }

    @ProcessElement
    public void process(@Element Row keyAndValues, BoundedWindow window, OutputReceiver<Row> out) {
      List<Object> values = new ArrayList<>(keyAndValues.getRow(0).getValues());
      if (!noAggregates) {
        values.addAll(keyAndValues.getRow(1).getValues());
      }
      values.add(windowField, ((IntervalWindow) window).end());
      out.output(Row.withSchema(outputSchema).attachValues(values));
    }
  }

}
