package dev.freshet.sql.window;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.extensions.sql.impl.planner.BeamCostModel;
import org.apache.beam.sdk.extensions.sql.impl.planner.BeamRelMetadataQuery;
import org.apache.beam.sdk.extensions.sql.impl.planner.NodeStats;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamRelNode;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamSqlRelUtils;
import org.apache.beam.sdk.extensions.sql.impl.utils.CalciteUtils;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptCluster;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptPlanner;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelTraitSet;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.RelFieldCollation;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.RelNode;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.RelWriter;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.Window;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.type.RelDataType;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rex.RexLiteral;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.sql.SqlKind;

/**
 * {@code ROW_NUMBER()}, {@code RANK()} and {@code DENSE_RANK()} {@code OVER (PARTITION BY ... ORDER
 * BY ...)}, per window of the input: the rows of each partition are gathered with a {@link
 * GroupByKey} in the input's windows, which fires when the watermark passes a window's end, then
 * sorted and numbered. Over the output of a windowed aggregate ({@code GROUP BY TUMBLE(...)}), this
 * is Flink's Window Top-N: {@code WHERE rn <= N} above it is pushed into the numbering by {@link
 * TopNFilterRule}, so only the first {@code N} rows of a partition leave it.
 *
 * <p>An unbounded input in the global window with the default trigger would never fire; that is
 * refused when the pipeline is built, with a message saying to aggregate by a window first.
 */
final class NumberingWindowRel extends Window implements BeamRelNode {
  private final long limit;

  NumberingWindowRel(RelOptCluster cluster, RelTraitSet traits, RelNode input, List<RexLiteral> constants,
      RelDataType rowType, List<Group> groups) {
    this(cluster, traits, input, constants, rowType, groups, Long.MAX_VALUE);
  }

  private NumberingWindowRel(RelOptCluster cluster, RelTraitSet traits, RelNode input, List<RexLiteral> constants,
      RelDataType rowType, List<Group> groups, long limit) {
    super(cluster, traits, input, constants, rowType, groups);
    this.limit = limit;
  }

  /** The same numbering, keeping only rows whose numbers are all at most {@code limit}. */
  NumberingWindowRel withLimit(long limit) {
    return new NumberingWindowRel(getCluster(), getTraitSet(), getInput(), constants, getRowType(), groups, limit);
  }

  long limit() {
    return limit;
  }

  /** Which output fields hold numbers (after the input's fields). */
  int firstNumberField() {
    return getInput().getRowType().getFieldCount();
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new NumberingWindowRel(getCluster(), traitSet, sole(inputs), constants, getRowType(), groups, limit);
  }

  @Override
  public Window copy(List<RexLiteral> constants) {
    return new NumberingWindowRel(getCluster(), getTraitSet(), getInput(), constants, getRowType(), groups, limit);
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw).itemIf("limit", limit, limit != Long.MAX_VALUE);
  }

  @Override
  public NodeStats estimateNodeStats(BeamRelMetadataQuery mq) {
    return BeamSqlRelUtils.getNodeStats(getInput(), mq);
  }

  @Override
  public BeamCostModel beamComputeSelfCost(RelOptPlanner planner, BeamRelMetadataQuery mq) {
    NodeStats input = BeamSqlRelUtils.getNodeStats(getInput(), mq);
    // Below BeamWindowRel's 1.125, so that this numbering wins wherever both could run, and cheaper
    // still with a limit, so that the planner keeps the Top-N form.
    double multiplier = limit == Long.MAX_VALUE ? 1.0625 : 1.03125;
    return BeamCostModel.FACTORY.makeCost(input.getRowCount() * multiplier, input.getRate() * multiplier);
  }

  @Override
  public PTransform<PCollectionList<Row>, PCollection<Row>> buildPTransform() {
    Group group = groups.get(0);
    List<RowNumbering.OrderKey> orderKeys = new ArrayList<>();
    for (RelFieldCollation collation : group.orderKeys.getFieldCollations()) {
      RelFieldCollation.NullDirection nulls = collation.nullDirection == RelFieldCollation.NullDirection.UNSPECIFIED
          ? collation.direction.defaultNullDirection() : collation.nullDirection;
      orderKeys.add(new RowNumbering.OrderKey(collation.getFieldIndex(), collation.direction.isDescending(),
          nulls == RelFieldCollation.NullDirection.FIRST));
    }
    List<RowNumbering.Function> functions = new ArrayList<>();
    for (RexWinAggCall call : group.aggCalls) {
      SqlKind kind = call.getOperator().getKind();
      functions.add(RowNumbering.Function.valueOf(kind.name()));
    }
    return new NumberRows(group.keys.asList(), new RowNumbering(orderKeys, functions), limit,
        CalciteUtils.toSchema(getRowType()));
  }

  /** Keys rows by their partition columns, gathers each partition per window, numbers it. */
  private static final class NumberRows extends PTransform<PCollectionList<Row>, PCollection<Row>> {
    private final List<Integer> partitionKeys;
    private final RowNumbering numbering;
    private final long limit;
    private final Schema outputSchema;

    NumberRows(List<Integer> partitionKeys, RowNumbering numbering, long limit, Schema outputSchema) {
      this.partitionKeys = new ArrayList<>(partitionKeys);
      this.numbering = numbering;
      this.limit = limit;
      this.outputSchema = outputSchema;
    }

    @Override
    public PCollection<Row> expand(PCollectionList<Row> inputs) {
      PCollection<Row> input = inputs.get(0);
      WindowingStrategy<?, ?> windowing = input.getWindowingStrategy();
      if (input.isBounded() == PCollection.IsBounded.UNBOUNDED && windowing.getWindowFn() instanceof GlobalWindows
          && windowing.getTrigger() instanceof DefaultTrigger) {
        throw new UnsupportedOperationException("ROW_NUMBER, RANK and DENSE_RANK over an unbounded table number the "
            + "rows of each window, and this input has none: apply them to a windowed aggregate "
            + "(GROUP BY TUMBLE(...), HOP(...), SESSION(...) or CUMULATE(...)), partitioned by its window start");
      }
      Schema inputSchema = input.getSchema();
      Schema.Builder keySchema = Schema.builder();
      for (int field : partitionKeys) {
        keySchema.addField(inputSchema.getField(field));
      }
      Schema keys = keySchema.build();
      return input
          .apply("PartitionKeys", ParDo.of(new KeyFn(partitionKeys, keys)))
          .setCoder(KvCoder.of(RowCoder.of(keys), input.getCoder()))
          .apply("GatherPartitions", GroupByKey.create())
          .apply("Number", ParDo.of(new NumberFn(numbering, limit, outputSchema)))
          .setRowSchema(outputSchema);
    }
  }

  private static final class KeyFn extends DoFn<Row, KV<Row, Row>> {
    private final List<Integer> fields;
    private final Schema keySchema;

    KeyFn(List<Integer> fields, Schema keySchema) {
      this.fields = fields;
      this.keySchema = keySchema;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<KV<Row, Row>> out) {
      List<Object> key = new ArrayList<>(fields.size());
      for (int field : fields) {
        key.add(row.getValue(field));
      }
      out.output(KV.of(Row.withSchema(keySchema).attachValues(key), row));
    }
  }

  private static final class NumberFn extends DoFn<KV<Row, Iterable<Row>>, Row> {
    private final RowNumbering numbering;
    private final long limit;
    private final Schema outputSchema;

    NumberFn(RowNumbering numbering, long limit, Schema outputSchema) {
      this.numbering = numbering;
      this.limit = limit;
      this.outputSchema = outputSchema;
    }

    @ProcessElement
    public void process(@Element KV<Row, Iterable<Row>> partition, OutputReceiver<Row> out) {
      for (Row row : numbering.number(partition.getValue(), outputSchema, limit)) {
        out.output(row);
      }
    }
  }
}
