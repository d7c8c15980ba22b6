package dev.freshet.transforms.firehose;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.auto.value.AutoValue;
import com.google.common.collect.ImmutableMap;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One record a {@link RecordTransformer} returns: the Lambda output record ({@code recordId},
 * {@code result}, {@code data}, {@code metadata.partitionKeys}).
 */
@AutoValue
public abstract class TransformationResult {
  /** The {@code result} field of the Lambda contract. */
  public enum Status {
    /** Transformed; the record is delivered with the returned data. */
    OK("Ok"),
    /** Dropped on purpose; counted as processed, delivered nowhere. */
    DROPPED("Dropped"),
    /** Could not be transformed; the original record goes to the error output. */
    PROCESSING_FAILED("ProcessingFailed");

    private final String wireName;

    Status(String wireName) {
      this.wireName = wireName;
    }

    /** The service's spelling: {@code Ok}, {@code Dropped}, {@code ProcessingFailed}. */
    public String wireName() {
      return wireName;
    }
  }

  /** {@code Ok} with new data and no partition keys. */
  public static TransformationResult ok(String recordId, byte[] data) {
    return of(recordId, Status.OK, data, Map.of());
  }

  /** {@code Ok} with new data and the partition keys that {@code !{partitionKeyFromLambda:k}} reads. */
  public static TransformationResult ok(String recordId, byte[] data, Map<String, String> partitionKeys) {
    return of(recordId, Status.OK, data, partitionKeys);
  }

  /** {@code Ok} with new UTF-8 text. */
  public static TransformationResult ok(String recordId, String text) {
    return ok(recordId, text.getBytes(StandardCharsets.UTF_8));
  }

  public static TransformationResult dropped(String recordId) {
    return of(recordId, Status.DROPPED, new byte[0], Map.of());
  }

  public static TransformationResult processingFailed(String recordId) {
    return of(recordId, Status.PROCESSING_FAILED, new byte[0], Map.of());
  }

  public static TransformationResult of(String recordId, Status result, byte[] data,
      Map<String, String> partitionKeys) {
    checkNotNull(recordId, "recordId");
    checkNotNull(result, "result");
    checkNotNull(data, "data");
    return new AutoValue_TransformationResult(recordId, result, data, ImmutableMap.copyOf(partitionKeys));
  }

  public abstract String recordId();

  public abstract Status result();

  @SuppressWarnings("mutable")
  public abstract byte[] data();

  /** {@code metadata.partitionKeys}: empty unless the function partitions. */
  public abstract ImmutableMap<String, String> partitionKeys();
}
