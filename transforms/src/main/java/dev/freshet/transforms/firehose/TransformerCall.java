package dev.freshet.transforms.firehose;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One batch through a {@link RecordTransformer} with the spec's retries (a call that throws or
 * breaks the contract is tried again, with back-off from 100 ms doubling to 5 s, within the retry
 * count and duration): the results by record id, or why the batch failed for good. Shared by the
 * Beam transform ({@link TransformFn}) and {@link DeliveryEngine}.
 */
record TransformerCall(@Nullable Map<String, TransformationResult> results, int attempts, @Nullable String code,
    @Nullable String message, long endedMillis) {
  private static final Logger LOG = LoggerFactory.getLogger(TransformerCall.class);
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  boolean succeeded() {
    return results != null;
  }

  /** Calls the transformer on {@code inputs}, whose ids are the keys of {@code byId}. */
  static TransformerCall run(FirehoseDelivery.Write spec, List<TransformationRecord> inputs, Map<String, ?> byId)
      throws InterruptedException {
    RecordTransformer transformer = spec.recordTransformer();
    long deadline = System.currentTimeMillis() + spec.transformationRetryDuration().getMillis();
    long backoff = spec.transformationBackoff().getMillis();
    int attempts = 0;
    while (true) {
      attempts++;
      String code;
      String message;
      try {
        Map<String, TransformationResult> results = TransformFn.check(transformer.transform(List.copyOf(inputs)), byId);
        return new TransformerCall(results, attempts, null, null, System.currentTimeMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw e;
      } catch (TransformFn.ContractException e) {
        code = e.code;
        message = e.getMessage();
      } catch (Exception e) {
        code = TransformFn.FUNCTION_ERROR;
        message = "The transformation function failed: " + e;
      }
      long now = System.currentTimeMillis();
      if (attempts > spec.transformationRetries() || now + backoff > deadline) {
        LOG.warn("Delivery stream {}: transformation failed after {} attempts ({}); {} records go to the error output",
            spec.deliveryStreamName(), attempts, code, inputs.size());
        return new TransformerCall(null, attempts, code, message, now);
      }
      Thread.sleep(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
    }
  }
}
