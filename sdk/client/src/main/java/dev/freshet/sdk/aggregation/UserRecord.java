package dev.freshet.sdk.aggregation;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * One record as its producer wrote it, before aggregation packed it with others into a stream
 * record (or after de-aggregation unpacked it).
 */
@AutoValue
public abstract class UserRecord {
  public static UserRecord of(String partitionKey, @Nullable String explicitHashKey, byte[] data) {
    checkArgument(partitionKey != null, "partitionKey must not be null");
    checkArgument(data != null, "data must not be null");
    return new AutoValue_UserRecord(partitionKey, explicitHashKey, data);
  }

  public static UserRecord of(String partitionKey, String utf8Data) {
    return of(partitionKey, null, utf8Data.getBytes(StandardCharsets.UTF_8));
  }

  public abstract String partitionKey();

  /** The decimal hash key that routes the record instead of its partition key's MD5; usually null. */
  public abstract @Nullable String explicitHashKey();

  @SuppressWarnings("mutable")
  public abstract byte[] data();
}
