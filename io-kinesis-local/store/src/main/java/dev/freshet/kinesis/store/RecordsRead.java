package dev.freshet.kinesis.store;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.sdk.stream.GetRecordsResult;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * What {@link LocalStreamStore#getRecordsAnswer} read: either the answer in Freshet's binary layout
 * ({@link dev.freshet.sdk.wire.RecordsAnswer}: the buffers' bytes one after the other, each
 * from its position to its limit) or, when
 * the read did not fit it, the records. Exactly one is set.
 */
public record RecordsRead(ByteBuffer @Nullable [] binary, @Nullable GetRecordsResult records) {
  public RecordsRead {
    checkArgument((binary == null) != (records == null), "exactly one of binary and records must be set");
  }

  /** An answer in the binary layout. */
  public static RecordsRead binary(ByteBuffer[] binary) {
    return new RecordsRead(checkNotNull(binary, "binary"), null);
  }

  /** An answer as records. */
  public static RecordsRead records(GetRecordsResult records) {
    return new RecordsRead(null, checkNotNull(records, "records"));
  }
}
