package dev.freshet.kinesis.store;

import dev.freshet.sdk.stream.GetRecordsResult;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * What {@link LocalStreamStore#getRecordsAnswer} read: either the answer in Freshet's binary layout
 * ({@link dev.freshet.sdk.wire.RecordsAnswer}: the buffers' bytes one after the other, each
 * from its position to its limit) or, when
 * the read did not fit it, the records. Exactly one is set.
 */
public record RecordsRead(ByteBuffer @Nullable [] binary, @Nullable GetRecordsResult records) {}
