package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * One record to write: a data blob (at most 1 MiB), a partition key (1 to 256 Unicode characters)
 * and, optionally, an explicit hash key (decimal, 0 … 2^128 − 1) that overrides the key's hash for
 * routing. The store validates all three and names what is wrong.
 */
@AutoValue
public abstract class PutRecordsEntry {
  public static PutRecordsEntry of(String partitionKey, byte[] data) {
    return new AutoValue_PutRecordsEntry(partitionKey, null, data);
  }

  public static PutRecordsEntry of(String partitionKey, String utf8Data) {
    return of(partitionKey, utf8Data.getBytes(StandardCharsets.UTF_8));
  }

  public static PutRecordsEntry of(String partitionKey, @Nullable String explicitHashKey, byte[] data) {
    return new AutoValue_PutRecordsEntry(partitionKey, explicitHashKey, data);
  }

  public abstract String partitionKey();

  public abstract @Nullable String explicitHashKey();

  @SuppressWarnings("mutable")
  public abstract byte[] data();
}
