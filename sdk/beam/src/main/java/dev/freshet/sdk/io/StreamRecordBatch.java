package dev.freshet.sdk.io;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.joda.time.Instant;

/**
 * Records handed downstream together by the batched read of {@link StreamIO#read()}, in the order
 * the reader handed them out, each with the timestamp its {@link WatermarkPolicy} gave it. The
 * batch's own timestamp is the earliest of them, so that every record can be output at its own
 * timestamp (Beam lets a DoFn output later than its input, not earlier).
 */
final class StreamRecordBatch {
  private final List<StreamRecord> records;
  private final long[] timestampMillis;

  StreamRecordBatch(List<StreamRecord> records, long[] timestampMillis) {
    checkArgument(!records.isEmpty(), "a batch holds at least one record");
    checkArgument(records.size() == timestampMillis.length,
        "a batch needs one timestamp per record, but had %s records and %s timestamps",
        records.size(), timestampMillis.length);
    this.records = records;
    this.timestampMillis = timestampMillis;
  }

  int size() {
    return records.size();
  }

  StreamRecord record(int i) {
    return records.get(i);
  }

  Instant timestamp(int i) {
    return new Instant(timestampMillis[i]);
  }

  /** The earliest record timestamp: the batch's own. */
  Instant minTimestamp() {
    long min = Long.MAX_VALUE;
    for (long millis : timestampMillis) {
      min = Math.min(min, millis);
    }
    return new Instant(min);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StreamRecordBatch batch
        && records.equals(batch.records) && Arrays.equals(timestampMillis, batch.timestampMillis);
  }

  @Override
  public int hashCode() {
    return 31 * records.hashCode() + Arrays.hashCode(timestampMillis);
  }

  @Override
  public String toString() {
    return "StreamRecordBatch{" + records.size() + " records, first " + records.get(0).shardId() + "/"
        + records.get(0).sequenceNumber() + "}";
  }

  /**
   * The coder of a batch: a version byte, the count, then each record ({@link StreamRecordCoder})
   * with its timestamp in epoch millis.
   */
  static final class Coder extends AtomicCoder<StreamRecordBatch> {
    private static final long serialVersionUID = 1L;
    private static final int VERSION = 1;
    private static final Coder INSTANCE = new Coder();
    private static final VarIntCoder INT = VarIntCoder.of();
    private static final VarLongCoder LONG = VarLongCoder.of();
    private static final StreamRecordCoder RECORD = StreamRecordCoder.of();

    static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(StreamRecordBatch batch, OutputStream out) throws IOException {
      out.write(VERSION);
      INT.encode(batch.size(), out);
      for (int i = 0; i < batch.size(); i++) {
        RECORD.encode(batch.records.get(i), out);
        LONG.encode(batch.timestampMillis[i], out);
      }
    }

    @Override
    public StreamRecordBatch decode(InputStream in) throws IOException {
      int version = in.read();
      if (version != VERSION) {
        throw new CoderException("StreamRecordBatch encoded with version " + version + ", this coder reads " + VERSION);
      }
      int size = INT.decode(in);
      if (size < 1) {
        throw new CoderException("StreamRecordBatch encoded with " + size + " records, at least 1 expected");
      }
      List<StreamRecord> records = new ArrayList<>(size);
      long[] timestamps = new long[size];
      for (int i = 0; i < size; i++) {
        records.add(RECORD.decode(in));
        timestamps[i] = LONG.decode(in);
      }
      return new StreamRecordBatch(records, timestamps);
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    public boolean consistentWithEquals() {
      return true;
    }
  }
}
