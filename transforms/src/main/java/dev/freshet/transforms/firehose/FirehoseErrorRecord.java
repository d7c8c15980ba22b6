package dev.freshet.transforms.firehose;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * A record that could not be delivered, as the service reports it: the error output of {@link
 * FirehoseDelivery} holds these, and each is also delivered under the error output prefix as one
 * line of JSON ({@link #toJson()}):
 *
 * <pre>{@code
 * {"attemptsMade":4,"arrivalTimestamp":1700000000000,"errorCode":"Lambda.FunctionError",
 *  "errorMessage":"...","attemptEndingTimestamp":1700000000950,"rawData":"eyJhIjoxfQ==",
 *  "lambdaArn":"arn:..."}
 * }</pre>
 *
 * <p>{@code rawData} is the record's original data, base64-encoded; {@code lambdaArn} is present
 * only for transformation errors. {@link #errorOutputType()} is where the record failed ({@code
 * processing-failed} for transformation, {@code partitioning-failed} for dynamic partitioning) and
 * is what {@code !{firehose:error-output-type}} evaluates to.
 */
@AutoValue
public abstract class FirehoseErrorRecord implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code error-output-type} of records the transformation failed. */
  public static final String PROCESSING_FAILED = "processing-failed";
  /** {@code error-output-type} of records dynamic partitioning could not place. */
  public static final String PARTITIONING_FAILED = "partitioning-failed";

  static FirehoseErrorRecord of(String errorOutputType, long attemptsMade, long arrivalTimestamp,
      String errorCode, String errorMessage, long attemptEndingTimestamp, byte[] rawData,
      @Nullable String lambdaArn) {
    return new AutoValue_FirehoseErrorRecord(errorOutputType, attemptsMade, arrivalTimestamp,
        errorCode, errorMessage, attemptEndingTimestamp, Base64.getEncoder().encodeToString(rawData),
        lambdaArn);
  }

  public abstract String errorOutputType();

  public abstract long attemptsMade();

  /** When the record arrived, in milliseconds since the epoch. */
  public abstract long arrivalTimestamp();

  public abstract String errorCode();

  public abstract String errorMessage();

  /** When the last attempt ended, in milliseconds since the epoch. */
  public abstract long attemptEndingTimestamp();

  /** The original data, base64-encoded. */
  public abstract String rawData();

  public abstract @Nullable String lambdaArn();

  /** The original data. */
  public byte[] rawDataBytes() {
    return Base64.getDecoder().decode(rawData());
  }

  /** The service's error record, one JSON object (no line break). */
  public String toJson() {
    ObjectNode node = JSON.createObjectNode();
    node.put("attemptsMade", attemptsMade());
    node.put("arrivalTimestamp", arrivalTimestamp());
    node.put("errorCode", errorCode());
    node.put("errorMessage", errorMessage());
    node.put("attemptEndingTimestamp", attemptEndingTimestamp());
    node.put("rawData", rawData());
    if (lambdaArn() != null) {
      node.put("lambdaArn", lambdaArn());
    }
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
