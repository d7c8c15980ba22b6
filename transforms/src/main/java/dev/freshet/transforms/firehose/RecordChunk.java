package dev.freshet.transforms.firehose;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * Records of one destination partition gathered by {@link ChunkFn} within a bundle, so that the
 * keyed buffering stage (its shuffle, key encoding, state access) works once per chunk rather than
 * once per record; {@code firstSeenMillis} is when the chunk's first record reached the gathering
 * step (the reader's clock), from which the buffer's interval is counted.
 */
record RecordChunk(long firstSeenMillis, List<FirehoseRecord> records) {

  /** The first-seen time as a variable-length long, then the records. */
  static final class Coder extends AtomicCoder<RecordChunk> {
    private static final long serialVersionUID = 1L;
    private static final VarLongCoder TIME = VarLongCoder.of();
    private static final ListCoder<FirehoseRecord> RECORDS = ListCoder.of(FirehoseRecordCoder.of());

    @Override
    public void encode(RecordChunk value, OutputStream out) throws IOException {
      TIME.encode(value.firstSeenMillis(), out);
      RECORDS.encode(value.records(), out);
    }

    @Override
    public RecordChunk decode(InputStream in) throws IOException {
      return new RecordChunk(TIME.decode(in), RECORDS.decode(in));
    }
  }
}
