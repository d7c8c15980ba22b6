package dev.freshet.transforms.firehose;

import java.util.Map;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cap on active partitions. All partitioned records pass through this one key, which remembers
 * each partition it admitted until one buffer interval after its admission (when its buffer will
 * have been put at the latest); a record of a new partition while the cap is reached goes to the
 * error output instead.
 */
final class AdmitPartitionsFn extends DoFn<KV<Integer, KV<String, FirehoseRecord>>, KV<String, FirehoseRecord>> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(AdmitPartitionsFn.class);
  static final String LIMIT_EXCEEDED = "DynamicPartitioning.ActivePartitionsLimitExceeded";

  private final int maxActive;
  private final long activeMillis;
  private final String streamName;
  private final TupleTag<KV<String, FirehoseRecord>> admittedTag;
  private final TupleTag<FirehoseErrorRecord> overflowTag;

  @StateId("activeUntil")
  private final StateSpec<MapState<String, Long>> activeUntilSpec =
      StateSpecs.map(StringUtf8Coder.of(), VarLongCoder.of());

  @StateId("count")
  private final StateSpec<ValueState<Integer>> countSpec = StateSpecs.value(VarIntCoder.of());

  @StateId("nextExpiry")
  private final StateSpec<ValueState<Long>> nextExpirySpec = StateSpecs.value(VarLongCoder.of());

  AdmitPartitionsFn(FirehoseDelivery.Write spec, TupleTag<KV<String, FirehoseRecord>> admittedTag,
      TupleTag<FirehoseErrorRecord> overflowTag) {
    this.admittedTag = admittedTag;
    this.maxActive = spec.maxActivePartitions();
    this.activeMillis = spec.bufferInterval().getMillis();
    this.streamName = spec.deliveryStreamName();
    this.overflowTag = overflowTag;
  }

  @ProcessElement
  public void process(@Element KV<Integer, KV<String, FirehoseRecord>> element,
      @StateId("activeUntil") MapState<String, Long> activeUntil,
      @StateId("count") ValueState<Integer> countState,
      @StateId("nextExpiry") ValueState<Long> nextExpiryState,
      MultiOutputReceiver out) {
    KV<String, FirehoseRecord> record = element.getValue();
    long now = System.currentTimeMillis();
    Long until = activeUntil.get(record.getKey()).read();
    if (until != null && until > now) {
      out.get(admittedTag).output(record);
      return;
    }
    int count = countState.read() == null ? 0 : countState.read();
    if (until != null) {
      activeUntil.remove(record.getKey());
      count--;
    }
    Long nextExpiry = nextExpiryState.read();
    if (count >= maxActive && nextExpiry != null && nextExpiry <= now) {
      count = 0;
      long earliest = Long.MAX_VALUE;
      for (Map.Entry<String, Long> entry : activeUntil.entries().read()) {
        if (entry.getValue() <= now) {
          activeUntil.remove(entry.getKey());
        } else {
          count++;
          earliest = Math.min(earliest, entry.getValue());
        }
      }
      nextExpiryState.write(earliest);
      nextExpiry = earliest;
    }
    if (count >= maxActive) {
      countState.write(count);
      if (LOG.isDebugEnabled()) {
        LOG.debug("Delivery stream {}: {} active partitions, a record of a new partition goes to the error output",
            streamName, count);
      }
      FirehoseRecord data = record.getValue();
      out.get(overflowTag).output(FirehoseErrorRecord.of(FirehoseErrorRecord.PARTITIONING_FAILED, 1,
          data.approximateArrivalTimestamp().getMillis(), LIMIT_EXCEEDED,
          "The number of active partitions has exceeded the configured limit (" + maxActive + ")",
          now, data.data(), null));
      return;
    }
    long expiry = now + activeMillis;
    activeUntil.put(record.getKey(), expiry);
    countState.write(count + 1);
    if (nextExpiry == null || expiry < nextExpiry) {
      nextExpiryState.write(expiry);
    }
    out.get(admittedTag).output(record);
  }
}
