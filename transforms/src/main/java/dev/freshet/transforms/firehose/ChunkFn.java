package dev.freshet.transforms.firehose;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Instant;

/**
 * Gathers the records of each destination partition (and window) within a bundle into chunks of
 * up to {@link #CHUNK_BYTES} of data, emitted when full and when the bundle finishes. The runners
 * hold the watermark while a bundle is open (Beam's Flink runner emits no watermark until the
 * bundle has finished), so a chunk is never later than its records would have been. A chunk
 * carries the largest timestamp of its records, never earlier than any of them.
 */
final class ChunkFn extends DoFn<KV<String, FirehoseRecord>, KV<String, RecordChunk>> {
  private static final long serialVersionUID = 1L;

  /** Below the smallest size hint (1 MiB), so that a chunk never holds a whole object. */
  static final long CHUNK_BYTES = 64 * 1024;

  private record Slot(String key, BoundedWindow window) {}

  private static final class Open {
    final long firstSeenMillis = System.currentTimeMillis();
    final List<FirehoseRecord> records = new ArrayList<>();
    long bytes;
    Instant latest = BoundedWindow.TIMESTAMP_MIN_VALUE;
  }

  private transient Map<Slot, Open> open;

  @StartBundle
  public void startBundle() {
    open = new HashMap<>();
  }

  @ProcessElement
  public void process(@Element KV<String, FirehoseRecord> element, @Timestamp Instant timestamp,
      BoundedWindow window, OutputReceiver<KV<String, RecordChunk>> out) {
    Slot slot = new Slot(element.getKey(), window);
    Open chunk = open.computeIfAbsent(slot, s -> new Open());
    chunk.records.add(element.getValue());
    chunk.bytes += element.getValue().data().length;
    if (timestamp.isAfter(chunk.latest)) {
      chunk.latest = timestamp;
    }
    if (chunk.bytes >= CHUNK_BYTES) {
      open.remove(slot);
      // At the chunk's latest timestamp, which is no earlier than the current element's (Beam
      // refuses an output earlier than its input).
      out.outputWithTimestamp(KV.of(slot.key(), new RecordChunk(chunk.firstSeenMillis, chunk.records)),
          chunk.latest);
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) {
    for (Map.Entry<Slot, Open> entry : open.entrySet()) {
      Open chunk = entry.getValue();
      context.output(KV.of(entry.getKey().key(), new RecordChunk(chunk.firstSeenMillis, chunk.records)),
          chunk.latest, entry.getKey().window());
    }
    open.clear();
  }
}
