package dev.freshet.transforms.firehose;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A destination that takes each buffer as one batch of records instead of as an object: an HTTP
 * endpoint ({@link HttpEndpointDestination}) or a database table ({@link PostgresDestination}).
 *
 * <p>Such a destination still has an object store beside it, as in the service: {@link #connect()}
 * opens that store (the S3 backup of an HTTP endpoint, the staging bucket of a warehouse), and the
 * error output is put there. A batch the destination cannot take within its retry duration is not
 * an exception: it comes back as {@link BatchResult#failed} and each of its records becomes a
 * {@link FirehoseErrorRecord} of {@link #errorOutputType()}.
 */
public interface BatchDestination extends FirehoseDestination {
  /** Opens the batch side; called once per worker instance, closed when the worker is torn down. */
  BatchConnection connectBatches() throws IOException;

  /** {@code !{firehose:error-output-type}} of records this destination gave up on. */
  String errorOutputType();

  /** The largest buffer size hint the service allows for this kind of destination, in MiB. */
  int maxBufferSizeMiB();

  /** The most records one batch may hold (a buffer is delivered when it has this many). */
  default int maxBatchRecords() {
    return Integer.MAX_VALUE;
  }

  /** An open batch destination. */
  interface BatchConnection extends AutoCloseable {
    /**
     * Delivers one batch, retrying within the destination's retry duration. Returns how it ended;
     * throws only for failures that should fail the bundle (the runner then retries it), such as a
     * staging object that could not be put.
     */
    BatchResult deliver(Batch batch) throws IOException, InterruptedException;

    @Override
    void close() throws IOException;
  }

  /**
   * One buffer to deliver: the key an object of it would have (a warehouse stages it under that
   * key), the data of its records as delivered (after transformation, without delimiters), and
   * the object itself (delimited and compressed as the delivery says).
   */
  final class Batch {
    private final String key;
    private final List<byte[]> records;
    private final Body object;

    Batch(String key, List<byte[]> records, Body object) {
      this.key = key;
      this.records = records;
      this.object = object;
    }

    public String key() {
      return key;
    }

    /** The records' data, in buffer order; not to be modified. */
    public List<byte[]> records() {
      return records;
    }

    /** Writes the batch as the object the delivery would put; may be called more than once. */
    public Body object() {
      return object;
    }
  }

  /** How the delivery of a batch ended. */
  final class BatchResult {
    private final @Nullable String id;
    private final @Nullable String errorCode;
    private final @Nullable String errorMessage;
    private final int attempts;

    private BatchResult(@Nullable String id, @Nullable String errorCode, @Nullable String errorMessage, int attempts) {
      this.id = id;
      this.errorCode = errorCode;
      this.errorMessage = errorMessage;
      this.attempts = attempts;
    }

    /** Delivered; {@code id} names the batch at the destination (a request id, a staged object's key). */
    public static BatchResult delivered(String id, int attempts) {
      return new BatchResult(checkNotNull(id, "id"), null, null, attempts);
    }

    /** Given up after {@code attempts} attempts, with the service's error code and a message. */
    public static BatchResult failed(String errorCode, String errorMessage, int attempts) {
      return new BatchResult(null, checkNotNull(errorCode, "errorCode"), checkNotNull(errorMessage, "errorMessage"),
          attempts);
    }

    public boolean isDelivered() {
      return id != null;
    }

    public @Nullable String id() {
      return id;
    }

    public @Nullable String errorCode() {
      return errorCode;
    }

    public @Nullable String errorMessage() {
      return errorMessage;
    }

    public int attempts() {
      return attempts;
    }
  }
}
