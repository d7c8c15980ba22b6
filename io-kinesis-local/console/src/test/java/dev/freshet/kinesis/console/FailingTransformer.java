package dev.freshet.kinesis.console;

import dev.freshet.transforms.firehose.RecordTransformer;
import dev.freshet.transforms.firehose.TransformationRecord;
import dev.freshet.transforms.firehose.TransformationResult;
import java.util.List;

/**
 * A record transformer registered with ServiceLoader (test resources), named by the Lambda ARN
 * {@code arn:aws:lambda:us-east-1:000000000000:function:FailingTransformer}: fails records whose
 * text is {@code fail}, so that a delivery has error records for the console to show.
 */
public final class FailingTransformer implements RecordTransformer {
  private static final long serialVersionUID = 1L;

  @Override
  public List<TransformationResult> transform(List<TransformationRecord> records) {
    return records.stream().map(r -> r.dataAsString().equals("fail")
        ? TransformationResult.processingFailed(r.recordId())
        : TransformationResult.ok(r.recordId(), r.dataAsString() + "\n")).toList();
  }
}
