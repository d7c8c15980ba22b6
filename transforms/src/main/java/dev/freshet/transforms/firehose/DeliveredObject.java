package dev.freshet.transforms.firehose;

import com.google.auto.value.AutoValue;
import java.io.Serializable;

/**
 * One object {@link FirehoseDelivery} put to its destination: its key, how many records it holds,
 * their bytes before compression (delimiters included), and whether it is under the error output
 * prefix. For a {@link BatchDestination}, one batch it took: the key is the batch's id there (the
 * HTTP request id; the key of the object a warehouse batch was staged as).
 */
@AutoValue
public abstract class DeliveredObject implements Serializable {
  private static final long serialVersionUID = 1L;

  static DeliveredObject of(String key, long recordCount, long uncompressedBytes, boolean errorOutput) {
    return new AutoValue_DeliveredObject(key, recordCount, uncompressedBytes, errorOutput);
  }

  public abstract String key();

  public abstract long recordCount();

  public abstract long uncompressedBytes();

  public abstract boolean errorOutput();
}
