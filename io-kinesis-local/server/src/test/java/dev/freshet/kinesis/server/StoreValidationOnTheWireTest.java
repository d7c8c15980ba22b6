package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.errors.ValidationException;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The request checks the server leaves to the store (the PutRecords batch size, the GetRecords
 * limit, the ListShards page size) reach the client as exactly the wire error the server sent when
 * it made them itself: HTTP 400, {@code __type} and {@code x-amzn-ErrorType} ValidationException,
 * and the same message.
 */
class StoreValidationOnTheWireTest {
  private static final String STREAM = "s";

  @TempDir Path dir;
  private LocalStreamStore store;
  private Operations operations;

  @BeforeEach
  void open() {
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());
    store.createStream(CreateStreamRequest.provisioned(STREAM, 1));
    operations = new Operations(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void putRecordsOutsideOneTo500RecordsIsAValidationException(WireFormat format) throws Exception {
    for (int count : new int[] {0, 501}) {
      ObjectNode body = format.newObject().put("StreamName", STREAM);
      ArrayNode records = body.putArray("Records");
      for (int i = 0; i < count; i++) {
        records.addObject().put("PartitionKey", "k" + i).put("Data", "eA==");
      }
      assertValidationError(format, "PutRecords", body, "1 validation error detected: Value at 'records' "
          + "failed to satisfy constraint: Member must have length between 1 and 500, but had " + count);
    }
    String iterator = store.getShardIterator(STREAM, "shardId-000000000000", StartingPosition.trimHorizon());
    assertThat(store.getRecords(iterator, 10).records()).as("nothing of a refused batch is written").isEmpty();
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void getRecordsLimitOutsideOneTo10000IsAValidationException(WireFormat format) throws Exception {
    String iterator = store.getShardIterator(STREAM, "shardId-000000000000", StartingPosition.latest());
    for (int limit : new int[] {0, -1, 10_001}) {
      ObjectNode body = format.newObject().put("ShardIterator", iterator).put("Limit", limit);
      assertValidationError(format, "GetRecords", body, "1 validation error detected: Value '" + limit
          + "' at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000");
    }
  }

  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void listShardsMaxResultsOutsideOneTo10000IsAValidationException(WireFormat format) throws Exception {
    for (int max : new int[] {0, -1, 10_001}) {
      ObjectNode body = format.newObject().put("StreamName", STREAM).put("MaxResults", max);
      assertValidationError(format, "ListShards", body, "1 validation error detected: Value '" + max
          + "' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 10000");
    }
  }

  /** Runs an operation as the server does and checks the error response it answers with. */
  private void assertValidationError(WireFormat format, String operation, ObjectNode body, String message)
      throws Exception {
    byte[] bytes = format.mapper().writeValueAsBytes(body);
    Exception failure = catchException(
        () -> operations.get(operation).apply(new ApiRequest(format.parse(bytes), format)));
    assertThat(failure).as("%s is refused by the store", operation).isInstanceOf(ValidationException.class);
    FullHttpResponse response = Responses.failure(UnpooledByteBufAllocator.DEFAULT, operation, failure, format);
    try {
      assertThat(response.status().code()).isEqualTo(400);
      assertThat(response.headers().get("x-amzn-ErrorType")).isEqualTo("ValidationException");
      JsonNode error = format.mapper().readTree(ByteBufUtil.getBytes(response.content()));
      assertThat(error.get("__type").asText()).isEqualTo("ValidationException");
      assertThat(error.get("message").asText()).isEqualTo(message);

      ApiException asTheServerSentIt = ApiException.validation(message);
      FullHttpResponse before = Responses.failure(UnpooledByteBufAllocator.DEFAULT, operation, asTheServerSentIt, format);
      try {
        assertThat(response.status()).isEqualTo(before.status());
        assertThat(response.headers().get("x-amzn-ErrorType")).isEqualTo(before.headers().get("x-amzn-ErrorType"));
        assertThat(response.headers().get("Content-Type")).isEqualTo(before.headers().get("Content-Type"));
        assertThat(error).isEqualTo(format.mapper().readTree(ByteBufUtil.getBytes(before.content())));
      } finally {
        before.release();
      }
    } finally {
      response.release();
    }
  }
}
