package dev.freshet.transforms.firehose;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/** The coder of {@link FirehoseRecord}: data, arrival time, and the optional key and id. */
public final class FirehoseRecordCoder extends CustomCoder<FirehoseRecord> {
  private static final long serialVersionUID = 1L;
  private static final FirehoseRecordCoder INSTANCE = new FirehoseRecordCoder();
  private static final Coder<byte[]> DATA = ByteArrayCoder.of();
  private static final Coder<org.joda.time.Instant> TIME = InstantCoder.of();
  private static final Coder<String> TEXT = NullableCoder.of(StringUtf8Coder.of());

  private FirehoseRecordCoder() {}

  public static FirehoseRecordCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(FirehoseRecord value, OutputStream out) throws IOException {
    DATA.encode(value.data(), out);
    TIME.encode(value.approximateArrivalTimestamp(), out);
    TEXT.encode(value.partitionKey(), out);
    TEXT.encode(value.recordId(), out);
  }

  @Override
  public FirehoseRecord decode(InputStream in) throws IOException {
    byte[] data = DATA.decode(in);
    org.joda.time.Instant arrival = TIME.decode(in);
    return new AutoValue_FirehoseRecord(data, arrival, TEXT.decode(in), TEXT.decode(in));
  }

  @Override
  public List<? extends Coder<?>> getCoderArguments() {
    return List.of();
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return false;
  }
}
