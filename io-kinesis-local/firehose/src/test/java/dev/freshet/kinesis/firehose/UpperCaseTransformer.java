package dev.freshet.kinesis.firehose;

import dev.freshet.transforms.firehose.RecordTransformer;
import dev.freshet.transforms.firehose.TransformationRecord;
import dev.freshet.transforms.firehose.TransformationResult;
import java.util.List;
import java.util.Locale;

/**
 * A record transformer registered with ServiceLoader (test resources), named by the Lambda ARN
 * {@code arn:aws:lambda:us-east-1:000000000000:function:UpperCaseTransformer}: upper-cases text,
 * drops {@code drop} and fails {@code fail}.
 */
public final class UpperCaseTransformer implements RecordTransformer {
  private static final long serialVersionUID = 1L;

  @Override
  public List<TransformationResult> transform(List<TransformationRecord> records) {
    return records.stream().map(r -> switch (r.dataAsString()) {
      case "drop" -> TransformationResult.dropped(r.recordId());
      case "fail" -> TransformationResult.processingFailed(r.recordId());
      default -> TransformationResult.ok(r.recordId(), r.dataAsString().toUpperCase(Locale.ROOT));
    }).toList();
  }
}
