package dev.freshet.sdk.io;

import org.apache.beam.sdk.transforms.DoFn;

/**
 * Turns each {@link StreamRecordBatch} of the batched read back into its records, each output at
 * the timestamp the reader gave it (never earlier than the batch's own, which is the earliest).
 */
final class ExpandBatchFn extends DoFn<StreamRecordBatch, StreamRecord> {
  private static final long serialVersionUID = 1L;

  @ProcessElement
  public void process(@Element StreamRecordBatch batch, OutputReceiver<StreamRecord> out) {
    for (int i = 0; i < batch.size(); i++) {
      out.outputWithTimestamp(batch.record(i), batch.timestamp(i));
    }
  }
}
