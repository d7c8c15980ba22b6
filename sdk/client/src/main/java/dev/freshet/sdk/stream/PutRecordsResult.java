package dev.freshet.sdk.stream;

import com.google.auto.value.AutoValue;
import java.util.List;

/**
 * The outcome of a batch write (PutRecords): one entry per request entry, in request order. A
 * batch can fail in part; retry only the failed entries.
 */
@AutoValue
public abstract class PutRecordsResult {
  public static PutRecordsResult of(List<PutRecordsResultEntry> records, EncryptionType encryptionType) {
    int failed = 0;
    for (PutRecordsResultEntry entry : records) {
      if (!entry.isSuccessful()) {
        failed++;
      }
    }
    return new AutoValue_PutRecordsResult(failed, List.copyOf(records), encryptionType);
  }

  public abstract int failedRecordCount();

  public abstract List<PutRecordsResultEntry> records();

  public abstract EncryptionType encryptionType();
}
