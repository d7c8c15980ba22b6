package dev.freshet.sql.window;

import com.google.common.base.Preconditions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.extensions.sql.impl.BeamSqlPipelineOptions;
import org.apache.beam.sdk.extensions.sql.impl.planner.BeamCostModel;
import org.apache.beam.sdk.extensions.sql.impl.planner.BeamRelMetadataQuery;
import org.apache.beam.sdk.extensions.sql.impl.rel.BeamAggregationRel;
import org.apache.beam.sdk.extensions.sql.impl.utils.CalciteUtils;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.CombineFns;
import org.apache.beam.sdk.transforms.CombineFns.CoCombineResult;
import org.apache.beam.sdk.transforms.CombineFns.ComposedCombineFn;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptCluster;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelOptPlanner;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.plan.RelTraitSet;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.RelNode;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.Aggregate;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.rel.core.AggregateCall;
import org.apache.beam.vendor.calcite.v1_40_0.org.apache.calcite.util.ImmutableBitSet;
import org.joda.time.Duration;
import org.joda.time.ReadableInstant;

/**
 * A {@code TUMBLE} or {@code HOP} aggregate (Beam's {@link BeamAggregationRel}, same windows, same
 * combine functions, same result rows) that combines in two phases, like Flink SQL's local-global
 * aggregation: a DoFn before the shuffle assigns each row's windows from its time column (as Beam's
 * plan does with {@code WithTimestamps} and {@code Window.into}), adds the rows of a bundle into one
 * accumulator per key and window, and emits the accumulators when the bundle finishes, stamped with
 * the window's maximum timestamp; after the shuffle, a {@code Combine.perKey} merges accumulators and extracts the
 * result. The keyed, windowed part, where Beam's runners keep per-element window state (on Flink:
 * timers, watermark holds and combining state per element), then sees one element per key, window
 * and bundle instead of one per row.
 *
 * <p>Why the results are the same: runners emit no watermark while a bundle is open (Flink's {@code
 * DoFnOperator} holds a new watermark back until the bundle finishes; the Direct runner advances
 * watermarks between bundles), so an accumulator reaches the shuffle before any watermark that came
 * after its rows, and the grouping drops late data per window, by the window's end, as it would have
 * dropped the rows. The pre-combine applies only when that is all the windowing does: the default
 * trigger, no allowed lateness, and output timestamps at the end of the window (Beam SQL's defaults,
 * one on-time pane per window), over an input in one window per row; an input windowed otherwise
 * (for example with allowed lateness, where each late row fires its own pane) is aggregated by
 * Beam's transform, row by row.
 */
final class PreAggregatedWindowRel extends BeamAggregationRel {
  private final WindowFn<Row, IntervalWindow> windowFn;
  private final int windowField;

  PreAggregatedWindowRel(RelOptCluster cluster, RelTraitSet traits, RelNode input, ImmutableBitSet groupSet,
      List<ImmutableBitSet> groupSets, List<AggregateCall> aggCalls, WindowFn<Row, IntervalWindow> windowFn,
      int windowField) {
    super(cluster, traits, input, groupSet, groupSets, aggCalls, windowFn, windowField);
    this.windowFn = windowFn;
    this.windowField = windowField;
  }

  @Override
  public Aggregate copy(RelTraitSet traitSet, RelNode input, ImmutableBitSet groupSet,
      List<ImmutableBitSet> groupSets, List<AggregateCall> aggCalls) {
    return new PreAggregatedWindowRel(getCluster(), traitSet, input, groupSet, groupSets, aggCalls, windowFn,
        windowField);
  }

  @Override
  public BeamCostModel beamComputeSelfCost(RelOptPlanner planner, BeamRelMetadataQuery mq) {
    // Beam's rule plans the same aggregate as a BeamAggregationRel; half its cost makes this one win.
    return (BeamCostModel) super.beamComputeSelfCost(planner, mq).multiplyBy(0.5);
  }

  @Override
  public PTransform<PCollectionList<Row>, PCollection<Row>> buildPTransform() {
    List<FieldAggregation> aggregations = FieldAggregation.of(getNamedAggCalls());
    List<Integer> keys = FieldAggregation.groupKeys(groupSet, windowField);
    return new Transform(windowFn, windowField, keys, aggregations, CalciteUtils.toSchema(getRowType()),
        super.buildPTransform());
  }

  /** Whether a windowing strategy makes one pane per window from on-time data only (see the class doc). */
  static boolean onTimePanesOnly(WindowingStrategy<?, ?> strategy) {
    return strategy.getTrigger() instanceof DefaultTrigger
        && strategy.getAllowedLateness().isEqual(Duration.ZERO)
        && strategy.getTimestampCombiner() == TimestampCombiner.END_OF_WINDOW;
  }


  private static final class Transform extends PTransform<PCollectionList<Row>, PCollection<Row>> {
    private final WindowFn<Row, IntervalWindow> windowFn;
    private final int windowField;
    private final List<Integer> keys;
    private final List<FieldAggregation> aggregations;
    private final Schema outputSchema;
    private final PTransform<PCollectionList<Row>, PCollection<Row>> rowByRow;

    Transform(WindowFn<Row, IntervalWindow> windowFn, int windowField, List<Integer> keys,
        List<FieldAggregation> aggregations, Schema outputSchema,
        PTransform<PCollectionList<Row>, PCollection<Row>> rowByRow) {
      this.windowFn = windowFn;
      this.windowField = windowField;
      this.keys = keys;
      this.aggregations = aggregations;
      this.outputSchema = outputSchema;
      this.rowByRow = rowByRow;
    }

    @Override
    public PCollection<Row> expand(PCollectionList<Row> inputs) {
      Preconditions.checkArgument(inputs.size() == 1, "an aggregate has one input, but got %s", inputs.size());
      PCollection<Row> input = inputs.get(0);
      if (!onTimePanesOnly(input.getWindowingStrategy())
          || !(input.getWindowingStrategy().getWindowFn() instanceof GlobalWindows
              || input.getWindowingStrategy().getWindowFn().assignsToOneWindow())) {
        return inputs.apply("RowByRow", rowByRow);
      }
      Schema inputSchema = input.getSchema();

      Schema.Builder keySchema = Schema.builder();
      for (int key : keys) {
        keySchema.addField(inputSchema.getField(key));
      }
      Schema keys = keySchema.build();
      Schema.Builder valueSchema = Schema.builder();
      List<TupleTag<Object>> tags = new ArrayList<>();
      ComposedCombineFn<Row> composed = null;
      for (FieldAggregation aggregation : aggregations) {
        TupleTag<Object> tag = new TupleTag<>(Integer.toString(tags.size()));
        tags.add(tag);
        valueSchema.addField(aggregation.outputField);
        composed = with(composed, inputSchema, aggregation, tag);
      }
      Schema values = valueSchema.build();
      Coder<Object[]> accumulatorCoder;
      try {
        accumulatorCoder = composed.getAccumulatorCoder(input.getPipeline().getCoderRegistry(), input.getCoder());
      } catch (CannotProvideCoderException e) {
        throw new IllegalStateException("no coder for the accumulators of " + aggregations.size()
            + " aggregate functions over " + inputSchema, e);
      }
      boolean verifyRowValues =
          input.getPipeline().getOptions().as(BeamSqlPipelineOptions.class).getVerifyRowValues();
      // The pre-combine assigns the windows itself, from the time column, as Beam's plan does with
      // WithTimestamps and Window.into: its output is in the aggregate's windows.
      PCollection<KV<Row, Object[]>> partials = input
          .apply("PreCombine", ParDo.of(new PreCombineFn(keys, this.keys, windowFn, windowField, composed)))
          .setCoder(KvCoder.of(SchemaCoder.of(keys), accumulatorCoder));
      partials.setWindowingStrategyInternal(input.getWindowingStrategy().withWindowFn(windowFn));
      return partials
          .apply("Combine", Combine.perKey(new MergeFn(composed, accumulatorCoder, tags, values)))
          .setCoder(KvCoder.of(SchemaCoder.of(keys), SchemaCoder.of(values)))
          .apply("Output", ParDo.of(new OutputFn(outputSchema, windowField, verifyRowValues)))
          .setRowSchema(outputSchema);
    }

    /** As Beam's {@code Group}: one field's value, or a row of the fields (none for {@code COUNT(*)}). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ComposedCombineFn<Row> with(ComposedCombineFn<Row> composed, Schema inputSchema,
        FieldAggregation aggregation, TupleTag<Object> tag) {
      SimpleFunction<Row, ?> extract;
      Coder extracted;
      if (aggregation.inputs.size() == 1) {
        int field = aggregation.inputs.get(0);
        extract = new FieldValue(field);
        extracted = SchemaCoder.coderForFieldType(inputSchema.getField(field).getType());
      } else {
        Schema.Builder fields = Schema.builder();
        for (int field : aggregation.inputs) {
          fields.addField(inputSchema.getField(field));
        }
        Schema subSchema = fields.build();
        extract = new FieldsRow(subSchema, aggregation.inputs);
        extracted = SchemaCoder.of(subSchema);
      }
      CombineFn fn = aggregation.combineFn;
      return composed == null
          ? CombineFns.compose().with(extract, extracted, fn, tag)
          : composed.with(extract, extracted, fn, tag);
    }
  }

  private static final class FieldValue extends SimpleFunction<Row, Object> {
    private final int field;

    FieldValue(int field) {
      this.field = field;
    }

    @Override
    public Object apply(Row row) {
      return row.getValue(field);
    }
  }

  private static final class FieldsRow extends SimpleFunction<Row, Row> {
    private final Schema schema;
    private final List<Integer> fields;

    FieldsRow(Schema schema, List<Integer> fields) {
      this.schema = schema;
      this.fields = fields;
    }

    @Override
    public Row apply(Row row) {
      List<Object> values = new ArrayList<>(fields.size());
      for (int field : fields) {
        values.add(row.getValue(field));
      }
      return Row.withSchema(schema).attachValues(values);
    }
  }

  /**
   * The local phase: per bundle, one accumulator per key and window (the windows the aggregate's
   * {@code WindowFn} assigns to the row's time column), emitted when the bundle finishes at the
   * window's maximum timestamp. Holds at most one entry per row of the bundle.
   */
  static final class PreCombineFn extends DoFn<Row, KV<Row, Object[]>> {
    private final Schema keySchema;
    private final int[] keyFields;
    private final WindowFn<?, IntervalWindow> windowFn;
    private final int timeField;
    private final ComposedCombineFn<Row> combineFn;
    /** Per window, per key (the key column's value, or a {@link GroupKey} of several), the accumulators. */
    private transient Map<IntervalWindow, Map<Object, Object[]>> partials;

    PreCombineFn(Schema keySchema, List<Integer> keyFields, WindowFn<?, IntervalWindow> windowFn, int timeField,
        ComposedCombineFn<Row> combineFn) {
      Preconditions.checkArgument(windowFn instanceof FixedWindows || windowFn instanceof SlidingWindows,
          "pre-aggregation assigns fixed or sliding windows only, not %s", windowFn);
      this.keySchema = keySchema;
      this.keyFields = keyFields.stream().mapToInt(Integer::intValue).toArray();
      this.windowFn = windowFn;
      this.timeField = timeField;
      this.combineFn = combineFn;
    }

    @StartBundle
    public void startBundle() {
      partials = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element Row row) {
      // getValue, not getDateTime, which would build a DateTime per row.
      ReadableInstant time = row.getValue(timeField);
      if (time == null) {
        throw new IllegalArgumentException("the window's time column " + row.getSchema().getField(timeField).getName()
            + " is NULL in " + row);
      }
      // One key column: its value is the map key (one pointer less to follow per lookup).
      Object key = keyFields.length == 1 ? row.getValue(keyFields[0]) : null;
      if (keyFields.length != 1 || key instanceof byte[]) {
        Object[] keyValues = new Object[keyFields.length];
        for (int i = 0; i < keyFields.length; i++) {
          keyValues[i] = row.getValue(keyFields[i]);
        }
        key = new GroupKey(keyValues);
      }
      if (windowFn instanceof FixedWindows) {
        add(((FixedWindows) windowFn).assignWindow(time.toInstant()), key, row);
      } else {
        for (IntervalWindow window : ((SlidingWindows) windowFn).assignWindows(time.toInstant())) {
          add(window, key, row);
        }
      }
    }

    private void add(IntervalWindow window, Object key, Row row) {
      Map<Object, Object[]> perKey = partials.computeIfAbsent(window, w -> new HashMap<>());
      Object[] accumulator = perKey.get(key);
      perKey.put(key, combineFn.addInput(accumulator == null ? combineFn.createAccumulator() : accumulator, row));
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      for (Map.Entry<IntervalWindow, Map<Object, Object[]>> window : partials.entrySet()) {
        for (Map.Entry<Object, Object[]> partial : window.getValue().entrySet()) {
          Object[] keyValues = partial.getKey() instanceof GroupKey
              ? ((GroupKey) partial.getKey()).values : new Object[] {partial.getKey()};
          Row key = Row.withSchema(keySchema).attachValues(keyValues);
          context.output(KV.of(key, partial.getValue()), window.getKey().maxTimestamp(), window.getKey());
        }
      }
      partials = new HashMap<>();
    }
  }

  /**
   * A group key in memory. {@code Row}'s own hash spreads small numeric keys badly (most of a
   * profile went to {@code Row.equals} in hash-bucket chains); this one hashes the values as {@link
   * Arrays#deepHashCode} does. Values equal here encode equally, so the shuffle groups them alike;
   * values it tells apart that encode alike are merged after the shuffle anyway.
   */
  private static final class GroupKey {
    final Object[] values;
    private final int hash;

    GroupKey(Object[] values) {
      this.values = values;
      this.hash = Arrays.deepHashCode(values);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object other) {
      if (!(other instanceof GroupKey) || hash != ((GroupKey) other).hash) {
        return false;
      }
      Object[] those = ((GroupKey) other).values;
      for (int i = 0; i < values.length; i++) {
        Object mine = values[i];
        Object theirs = those[i];
        boolean same = mine instanceof byte[] && theirs instanceof byte[]
            ? Arrays.equals((byte[]) mine, (byte[]) theirs) : Objects.equals(mine, theirs);
        if (!same) {
          return false;
        }
      }
      return true;
    }
  }

  /** The global phase: merges the partial accumulators of a key and window, then extracts the aggregates. */
  static final class MergeFn extends CombineFn<Object[], Object[], Row> {
    private final ComposedCombineFn<Row> combineFn;
    private final Coder<Object[]> accumulatorCoder;
    private final List<TupleTag<Object>> tags;
    private final Schema valueSchema;

    MergeFn(ComposedCombineFn<Row> combineFn, Coder<Object[]> accumulatorCoder, List<TupleTag<Object>> tags,
        Schema valueSchema) {
      this.combineFn = combineFn;
      this.accumulatorCoder = accumulatorCoder;
      this.tags = tags;
      this.valueSchema = valueSchema;
    }

    @Override
    public Object[] createAccumulator() {
      return combineFn.createAccumulator();
    }

    @Override
    public Object[] addInput(Object[] accumulator, Object[] partial) {
      return combineFn.mergeAccumulators(List.of(accumulator, partial));
    }

    @Override
    public Object[] mergeAccumulators(Iterable<Object[]> accumulators) {
      return combineFn.mergeAccumulators(accumulators);
    }

    @Override
    public Row extractOutput(Object[] accumulator) {
      CoCombineResult result = combineFn.extractOutput(accumulator);
      Row.Builder row = Row.withSchema(valueSchema);
      for (TupleTag<Object> tag : tags) {
        row.addValue(result.get(tag));
      }
      return row.build();
    }

    @Override
    public Coder<Object[]> getAccumulatorCoder(CoderRegistry registry, Coder<Object[]> inputCoder) {
      return accumulatorCoder;
    }

    @Override
    public Coder<Row> getDefaultOutputCoder(CoderRegistry registry, Coder<Object[]> inputCoder) {
      return SchemaCoder.of(valueSchema);
    }
  }

  /** The key's fields, the window's start at the window column, then the aggregates (as Beam's {@code mergeRecord}). */
  private static final class OutputFn extends DoFn<KV<Row, Row>, Row> {
    private final Schema outputSchema;
    private final int windowField;
    private final boolean verifyRowValues;

    OutputFn(Schema outputSchema, int windowField, boolean verifyRowValues) {
      this.outputSchema = outputSchema;
      this.windowField = windowField;
      this.verifyRowValues = verifyRowValues;
    }

    @ProcessElement
    public void process(@Element KV<Row, Row> keyAndValues, BoundedWindow window, OutputReceiver<Row> out) {
      List<Object> values = new ArrayList<>(outputSchema.getFieldCount());
      values.addAll(keyAndValues.getKey().getValues());
      values.addAll(keyAndValues.getValue().getValues());
      values.add(windowField, ((IntervalWindow) window).start());
      out.output(verifyRowValues
          ? Row.withSchema(outputSchema).addValues(values).build()
          : Row.withSchema(outputSchema).attachValues(values));
    }
  }
}
