package dev.freshet.sdk.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.joda.time.Instant;

/**
 * The coder of {@link StreamRecord}: a version byte, then the fields in order. The version lets a
 * later release add fields and still read what an older one wrote into a runner's state.
 */
public final class StreamRecordCoder extends AtomicCoder<StreamRecord> {
  private static final long serialVersionUID = 1L;
  private static final int VERSION = 1;
  private static final StreamRecordCoder INSTANCE = new StreamRecordCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final VarLongCoder LONG = VarLongCoder.of();
  private static final ByteArrayCoder BYTES = ByteArrayCoder.of();

  public static StreamRecordCoder of() {
    return INSTANCE;
  }

  private StreamRecordCoder() {}

  @Override
  public void encode(StreamRecord record, OutputStream out) throws IOException {
    out.write(VERSION);
    STRING.encode(record.streamName(), out);
    STRING.encode(record.shardId(), out);
    STRING.encode(record.sequenceNumber(), out);
    LONG.encode(record.subSequenceNumber(), out);
    STRING.encode(record.partitionKey(), out);
    LONG.encode(record.approximateArrivalTimestamp().getMillis(), out);
    BYTES.encode(record.data(), out);
  }

  @Override
  public StreamRecord decode(InputStream in) throws IOException {
    int version = in.read();
    if (version != VERSION) {
      throw new CoderException("StreamRecord encoded with version " + version + ", this coder reads " + VERSION);
    }
    return StreamRecord.of(STRING.decode(in), STRING.decode(in), STRING.decode(in), LONG.decode(in),
        STRING.decode(in), new Instant(LONG.decode(in)), BYTES.decode(in));
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return true;
  }
}
