package dev.freshet.transforms.firehose;

import java.io.Serializable;
import java.util.List;

/**
 * Record transformation with the contract of a Firehose data-transformation Lambda function: it
 * receives a batch of records ({@code recordId}, {@code data}, {@code approximateArrivalTimestamp})
 * and returns one result per record ({@code recordId}, {@code result} of {@code Ok}, {@code
 * Dropped} or {@code ProcessingFailed}, {@code data}, and optionally {@code metadata.partitionKeys}).
 *
 * <p>Every input record must come back exactly once, with the id it was given. A batch whose
 * results miss an id or repeat one fails as a whole, as does a batch that throws; both are tried
 * again within the retry settings of {@link FirehoseDelivery.Write#withTransformationRetries}, then
 * all of the batch's records go to the error output. A result of {@code ProcessingFailed} sends its
 * record to the error output without retrying; {@code Dropped} removes it silently.
 *
 * <p>Implementations must be serializable and safe to call from one thread at a time per instance;
 * the runner makes one instance per worker thread.
 */
@FunctionalInterface
public interface RecordTransformer extends Serializable {
  /** Transforms one batch (at most {@link FirehoseDelivery.Write#withTransformationBatch} records). */
  List<TransformationResult> transform(List<TransformationRecord> records) throws Exception;

  /**
   * The name written as {@code lambdaArn} in error records. By default an ARN-shaped name made of
   * the implementing class.
   */
  default String functionArn() {
    return "arn:freshet:lambda:local:000000000000:function:" + getClass().getName();
  }
}
