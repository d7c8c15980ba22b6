package dev.freshet.kinesis.store;

import static dev.freshet.kinesis.store.StoreTesting.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.errors.InvalidArgumentException;
import dev.freshet.sdk.stream.errors.ResourceNotFoundException;
import dev.freshet.sdk.stream.errors.ValidationException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks the server leaves to the store, with the exact messages it sends on the wire (the
 * API's validation messages), and that a request is checked before the stream is looked up.
 */
class RequestValidationTest {
  private static final String SHARD0 = "shardId-000000000000";

  @TempDir Path dir;
  private LocalStreamStore store;

  @BeforeEach
  void open() {
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());
    store.createStream(CreateStreamRequest.provisioned("v", 1));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void putRecordsTakesOneTo500Records() {
    for (int count : new int[] {0, 501}) {
      List<PutRecordsEntry> records = Collections.nCopies(count, entry("k", "x"));
      assertThatThrownBy(() -> store.putRecords("v", records))
          .isExactlyInstanceOf(ValidationException.class)
          .hasMessage("1 validation error detected: Value at 'records' failed to satisfy constraint: "
              + "Member must have length between 1 and 500, but had " + count);
      // The shape of the request is checked before the stream is looked up.
      assertThatThrownBy(() -> store.putRecords("missing", records)).isExactlyInstanceOf(ValidationException.class);
    }
    assertThat(store.putRecords("v", Collections.nCopies(500, entry("k", "x"))).failedRecordCount()).isZero();
    assertThatThrownBy(() -> store.putRecords("missing", List.of(entry("k", "x"))))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void getRecordsTakesALimitOfOneTo10000() {
    String iterator = store.getShardIterator("v", SHARD0, StartingPosition.trimHorizon());
    for (int limit : new int[] {0, -1, 10_001, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      assertThatThrownBy(() -> store.getRecords(iterator, limit))
          .isExactlyInstanceOf(ValidationException.class)
          .hasMessage("1 validation error detected: Value '" + limit + "' at 'limit' failed to satisfy "
              + "constraint: Member must have value between 1 and 10000");
      assertThatThrownBy(() -> store.getRecords("not an iterator", limit))
          .isExactlyInstanceOf(ValidationException.class);
    }
    assertThat(store.getRecords(iterator, 1).records()).isEmpty();
    assertThat(store.getRecords(iterator, 10_000).records()).isEmpty();
  }

  @Test
  void listShardsTakesMaxResultsOfOneTo10000AndAStreamOrAToken() {
    for (int max : new int[] {0, -1, 10_001}) {
      assertThatThrownBy(() -> store.listShards(ListShardsRequest.builder().setStream("v").setMaxResults(max).build()))
          .isExactlyInstanceOf(ValidationException.class)
          .hasMessage("1 validation error detected: Value '" + max + "' at 'maxResults' failed to satisfy "
              + "constraint: Member must have value between 1 and 10000");
      assertThatThrownBy(() -> store.listShards(ListShardsRequest.builder().setMaxResults(max).build()))
          .as("the page size is checked first").isExactlyInstanceOf(ValidationException.class);
    }
    assertThat(store.listShards(ListShardsRequest.builder().setStream("v").setMaxResults(10_000).build())
        .shards()).hasSize(1);
    assertThatThrownBy(() -> store.listShards(ListShardsRequest.builder().build()))
        .isExactlyInstanceOf(InvalidArgumentException.class)
        .hasMessage("Either NextToken or StreamName should be provided.");
    assertThatThrownBy(() -> store.listShards(ListShardsRequest.builder().setNextToken("garbage!")
        .setExclusiveStartShardId(SHARD0).build()))
        .as("the conflict is found before the token is read")
        .isExactlyInstanceOf(InvalidArgumentException.class)
        .hasMessage("NextToken and ExclusiveStartShardId cannot be provided together.");
  }
}
