package dev.freshet.transforms.firehose;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * The coders of the transform's outputs, field by field (Java serialization would do, but would
 * cost more and make Beam warn that it cannot check equality).
 */
final class DeliveryCoders {
  private DeliveryCoders() {}

  private static final Coder<String> TEXT = StringUtf8Coder.of();
  private static final Coder<String> OPTIONAL_TEXT = NullableCoder.of(StringUtf8Coder.of());
  private static final Coder<Long> LONG = VarLongCoder.of();
  private static final Coder<Boolean> BOOLEAN = BooleanCoder.of();

  /** The coder of {@link FirehoseErrorRecord}. */
  static final class ErrorRecordCoder extends AtomicCoder<FirehoseErrorRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(FirehoseErrorRecord value, OutputStream out) throws IOException {
      TEXT.encode(value.errorOutputType(), out);
      LONG.encode(value.attemptsMade(), out);
      LONG.encode(value.arrivalTimestamp(), out);
      TEXT.encode(value.errorCode(), out);
      TEXT.encode(value.errorMessage(), out);
      LONG.encode(value.attemptEndingTimestamp(), out);
      TEXT.encode(value.rawData(), out);
      OPTIONAL_TEXT.encode(value.lambdaArn(), out);
    }

    @Override
    public FirehoseErrorRecord decode(InputStream in) throws IOException {
      return new AutoValue_FirehoseErrorRecord(TEXT.decode(in), LONG.decode(in), LONG.decode(in),
          TEXT.decode(in), TEXT.decode(in), LONG.decode(in), TEXT.decode(in), OPTIONAL_TEXT.decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }

  /** The coder of {@link DeliveredObject}. */
  static final class DeliveredObjectCoder extends AtomicCoder<DeliveredObject> {
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(DeliveredObject value, OutputStream out) throws IOException {
      TEXT.encode(value.key(), out);
      LONG.encode(value.recordCount(), out);
      LONG.encode(value.uncompressedBytes(), out);
      BOOLEAN.encode(value.errorOutput(), out);
    }

    @Override
    public DeliveredObject decode(InputStream in) throws IOException {
      return DeliveredObject.of(TEXT.decode(in), LONG.decode(in), LONG.decode(in), BOOLEAN.decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
