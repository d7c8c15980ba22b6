package dev.freshet.transforms.firehose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

class FirehoseErrorRecordTest {
  @Test
  void writesTheServicesProcessingFailedRecord() {
    FirehoseErrorRecord error = FirehoseErrorRecord.of(FirehoseErrorRecord.PROCESSING_FAILED, 4, 1_700_000_000_000L,
        "Lambda.FunctionError", "boom", 1_700_000_000_950L, "{\"a\":1}".getBytes(StandardCharsets.UTF_8),
        "arn:aws:lambda:us-east-1:123456789012:function:f");
    JsonNode json = FirehoseDeliveryTest.json(error.toJson());
    assertThat(json.fieldNames()).toIterable().containsExactly("attemptsMade", "arrivalTimestamp", "errorCode",
        "errorMessage", "attemptEndingTimestamp", "rawData", "lambdaArn");
    assertThat(json.get("attemptsMade").asLong()).isEqualTo(4);
    assertThat(json.get("arrivalTimestamp").asLong()).isEqualTo(1_700_000_000_000L);
    assertThat(json.get("attemptEndingTimestamp").asLong()).isEqualTo(1_700_000_000_950L);
    assertThat(json.get("rawData").asText()).isEqualTo("eyJhIjoxfQ==");
    assertThat(error.toJson()).doesNotContain("\n");
  }

  @Test
  void leavesOutTheFunctionForPartitioningErrorsAndSurvivesItsCoder() throws Exception {
    FirehoseErrorRecord error = FirehoseErrorRecord.of(FirehoseErrorRecord.PARTITIONING_FAILED, 1, 5,
        "DynamicPartitioning.ActivePartitionsLimitExceeded", "limit", 6, new byte[] {1, 2}, null);
    assertThat(FirehoseDeliveryTest.json(error.toJson()).has("lambdaArn")).isFalse();
    DeliveryCoders.ErrorRecordCoder coder = new DeliveryCoders.ErrorRecordCoder();
    assertThat(CoderUtils.clone(coder, error)).isEqualTo(error);
    DeliveredObject object = DeliveredObject.of("a/b", 3, 10, true);
    assertThat(CoderUtils.clone(new DeliveryCoders.DeliveredObjectCoder(), object)).isEqualTo(object);
  }

  @Test
  void deliveryKeysAreCanonicalAndRoundTrip() {
    DeliveryKey a = DeliveryKey.data(new TreeMap<>(java.util.Map.of("query:b", "2", "query:a", "1/x\"y")));
    DeliveryKey b = DeliveryKey.data(java.util.Map.of("query:a", "1/x\"y", "query:b", "2"));
    assertThat(a.encode()).isEqualTo(b.encode());
    assertThat(DeliveryKey.decode(a.encode())).isEqualTo(a);
    assertThat(DeliveryKey.decode(DeliveryKey.error("processing-failed").encode()).errorOutputType())
        .isEqualTo("processing-failed");
    assertThat(List.of(DeliveryKey.decode(a.encode()).partitionKeys().keySet())).hasSize(1);
  }
}
