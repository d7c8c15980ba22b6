package dev.freshet.sdk.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.jspecify.annotations.Nullable;
import org.joda.time.Instant;

/**
 * A {@link StreamSource} whose elements are batches of the records its reader hands out, for
 * runners that take only a few elements from an unbounded source per bundle: Beam's Direct runner
 * takes 10 (and the SDF read it can use instead, 100 per call), so one record per element caps a
 * read at a few tens of thousands of records a second there. {@link StreamIO.Read} expands the
 * batches again right after the read, each record at its own timestamp.
 *
 * <p>Everything else is the wrapped source's: the splits, the checkpoint mark and its coder, the
 * watermark. A batch is taken from one {@link StreamReader} record by record, so a checkpoint taken
 * after a batch is the same mark the per-record read would give after its last record, and
 * resuming from it continues right after that record.
 */
final class BatchedStreamSource extends UnboundedSource<StreamRecordBatch, StreamCheckpointMark> {
  private static final long serialVersionUID = 1L;

  private final StreamSource source;
  private final int maxBatchRecords;

  BatchedStreamSource(StreamSource source, int maxBatchRecords) {
    this.source = source;
    this.maxBatchRecords = maxBatchRecords;
  }

  @Override
  public List<BatchedStreamSource> split(int desiredNumSplits, PipelineOptions options) {
    List<BatchedStreamSource> splits = new ArrayList<>();
    for (StreamSource split : source.split(desiredNumSplits, options)) {
      splits.add(new BatchedStreamSource(split, maxBatchRecords));
    }
    return splits;
  }

  @Override
  public Reader createReader(PipelineOptions options, @Nullable StreamCheckpointMark checkpointMark) {
    return new Reader(this, source.createReader(options, checkpointMark));
  }

  @Override
  public Coder<StreamCheckpointMark> getCheckpointMarkCoder() {
    return source.getCheckpointMarkCoder();
  }

  @Override
  public Coder<StreamRecordBatch> getOutputCoder() {
    return StreamRecordBatch.Coder.of();
  }

  /** No, as for {@link StreamSource#requiresDeduping()}. */
  @Override
  public boolean requiresDeduping() {
    return false;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    source.populateDisplayData(builder);
    builder.add(DisplayData.item("maxBatchRecords", maxBatchRecords));
  }

  /**
   * Hands out what a {@link StreamReader} has for it now, up to {@code maxBatchRecords} records at
   * a time. It never waits to fill a batch: a batch ends where the wrapped reader has nothing more
   * at once, so records go downstream as soon as the per-record read would send them.
   */
  static final class Reader extends UnboundedSource.UnboundedReader<StreamRecordBatch> {
    private final BatchedStreamSource source;
    private final StreamReader reader;
    private @Nullable StreamRecordBatch current;

    Reader(BatchedStreamSource source, StreamReader reader) {
      this.source = source;
      this.reader = reader;
    }

    @Override
    public boolean start() throws IOException {
      return take(reader.start());
    }

    @Override
    public boolean advance() throws IOException {
      return take(reader.advance());
    }

    /** Collects the batch that starts with the wrapped reader's current record, if it has one. */
    private boolean take(boolean available) throws IOException {
      if (!available) {
        current = null;
        return false;
      }
      int max = source.maxBatchRecords;
      List<StreamRecord> records = new ArrayList<>(Math.min(max, 1024));
      long[] timestamps = new long[Math.min(max, 1024)];
      do {
        if (records.size() == timestamps.length) {
          timestamps = Arrays.copyOf(timestamps, Math.min(max, timestamps.length * 2));
        }
        timestamps[records.size()] = reader.getCurrentTimestamp().getMillis();
        records.add(reader.getCurrent());
      } while (records.size() < max && reader.advance());
      current = new StreamRecordBatch(records,
          records.size() == timestamps.length ? timestamps : Arrays.copyOf(timestamps, records.size()));
      return true;
    }

    @Override
    public StreamRecordBatch getCurrent() {
      if (current == null) {
        throw new NoSuchElementException("no current batch; call start() or advance() first");
      }
      return current;
    }

    @Override
    public Instant getCurrentTimestamp() {
      return getCurrent().minTimestamp();
    }

    @Override
    public Instant getWatermark() {
      return reader.getWatermark();
    }

    @Override
    public StreamCheckpointMark getCheckpointMark() {
      return reader.getCheckpointMark();
    }

    @Override
    public long getSplitBacklogBytes() {
      return reader.getSplitBacklogBytes();
    }

    @Override
    public BatchedStreamSource getCurrentSource() {
      return source;
    }

    @Override
    public void close() {
      reader.close();
    }
  }
}
