package dev.freshet.kinesis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.crypto.LocalKeyStore;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.EncryptionType;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.wire.RecordsAnswer;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalStreamStore#getRecordsAnswer} against {@link LocalStreamStore#getRecords} from the
 * same positions: the same records (idempotent writes without their producer header), the same next
 * position and lag; encrypted records and the read that ends a shard come as records.
 */
class RecordsAnswerReadTest {
  @TempDir Path dir;
  private LocalStreamStore store;

  @BeforeEach
  void open() {
    // Small segments, so that a read crosses from one to the next.
    store = LocalStreamStore.open(StoreConfig.builder(dir).setSegmentBytes(16 << 10).build());
  }

  @AfterEach
  void close() {
    store.close();
  }

  private String shard(String stream) {
    return store.listShards(ListShardsRequest.of(stream)).shards().get(0).shardId();
  }

  private static GetRecordsResult decode(ByteBuffer[] binary) throws IOException {
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    for (ByteBuffer buffer : binary) {
      byte[] chunk = new byte[buffer.remaining()];
      buffer.get(chunk);
      body.writeBytes(chunk);
    }
    return RecordsAnswer.decode(body.toByteArray());
  }

  /** Reads the shard to its visible end both ways, page by page, and compares every page. */
  private int readBothWays(String stream, int limit) throws IOException {
    String viaRecords = store.getShardIterator(stream, shard(stream), StartingPosition.trimHorizon());
    String viaAnswer = viaRecords;
    int read = 0;
    while (true) {
      GetRecordsResult expected = store.getRecords(viaRecords, limit);
      RecordsRead answer = store.getRecordsAnswer(viaAnswer, limit);
      assertThat(answer.binary()).as("a read that continues the shard comes in the binary layout").isNotNull();
      assertThat(answer.records()).isNull();
      GetRecordsResult actual = decode(answer.binary());
      assertThat(actual.records()).isEqualTo(expected.records());
      assertThat(actual.millisBehindLatest()).isEqualTo(expected.millisBehindLatest());
      read += actual.records().size();
      if (expected.records().isEmpty()) {
        return read;
      }
      viaRecords = expected.nextShardIterator();
      viaAnswer = actual.nextShardIterator();
    }
  }

  @Test
  void plainAndIdempotentRecordsReadAsTheyDoAsRecords() throws IOException {
    store.createStream(CreateStreamRequest.provisioned("s", 1));
    for (int batch = 0; batch < 6; batch++) {
      List<PutRecordsEntry> entries = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        int n = batch * 100 + i;
        // Some records of 100 kB: an answer then spans several of the writer's 64 KiB chunks.
        byte[] data = ("record " + n + " " + "x".repeat(n % 97 == 5 ? 100_000 : n % 90)).getBytes(StandardCharsets.UTF_8);
        PutRecordsEntry entry = PutRecordsEntry.of(n % 3 == 0 ? "schlüssel-" + n : "k" + n, data);
        // Odd batches are idempotent writes: their values carry a producer header in the log.
        entries.add(batch % 2 == 1 && i % 2 == 0 ? entry.withProducer("writer-" + batch, BigInteger.valueOf(n)) : entry);
      }
      assertThat(store.putRecords("s", entries).failedRecordCount()).isZero();
    }
    assertThat(readBothWays("s", 128)).isEqualTo(600);
    assertThat(readBothWays("s", 10_000)).isEqualTo(600);
  }

  @Test
  void encryptedRecordsComeAsRecords() throws IOException {
    LocalKeyStore.open(dir.resolve("keys").resolve("keystore.json")).createKey("app-key");
    store.close();
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());
    store.createStream(CreateStreamRequest.provisioned("sealed", 1));
    store.putRecords("sealed", List.of(PutRecordsEntry.of("k", "plain".getBytes(StandardCharsets.UTF_8))));
    store.startStreamEncryption("sealed", "app-key");
    store.putRecords("sealed", List.of(PutRecordsEntry.of("k", "secret".getBytes(StandardCharsets.UTF_8))));
    String iterator = store.getShardIterator("sealed", shard("sealed"), StartingPosition.trimHorizon());

    RecordsRead answer = store.getRecordsAnswer(iterator, 100);
    assertThat(answer.binary()).isNull();
    assertThat(answer.records().records()).extracting(r -> new String(r.data(), StandardCharsets.UTF_8))
        .containsExactly("plain", "secret");
    assertThat(answer.records().records().get(1).encryptionType()).isEqualTo(EncryptionType.KMS);
    assertThat(answer.records().records()).isEqualTo(store.getRecords(iterator, 100).records());
  }

  @Test
  void theReadThatEndsAShardComesAsRecordsWithItsChildren() {
    store.createStream(CreateStreamRequest.provisioned("split", 1));
    store.putRecords("split", List.of(PutRecordsEntry.of("k", new byte[] {1})));
    var range = store.listShards(ListShardsRequest.of("split")).shards().get(0).hashKeyRange();
    store.splitShard("split", shard("split"), range.startingHashKey().add(range.endingHashKey()).shiftRight(1));
    String iterator = store.getShardIterator("split", shard("split"), StartingPosition.trimHorizon());

    RecordsRead answer = store.getRecordsAnswer(iterator, 100);
    assertThat(answer.binary()).isNull();
    assertThat(answer.records().records()).hasSize(1);
    assertThat(answer.records().nextShardIterator()).isNull();
    assertThat(answer.records().childShards()).hasSize(2);
  }
}
