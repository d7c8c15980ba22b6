package dev.freshet.kinesis.store;

import static dev.freshet.kinesis.store.StoreTesting.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.kinesis.crypto.LocalKeyStore;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.EncryptionType;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.PutRecordResult;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.errors.KmsNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encryption at rest: what is on disk, what reads return, and what happens without the key. */
class EncryptionTest {
  private static final String SHARD = "shardId-000000000000";

  @TempDir Path dir;
  @TempDir Path elsewhere;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private LocalStreamStore store;

  @BeforeEach
  void open() {
    // A key created in the key store before the store opens, as an operator would.
    LocalKeyStore.open(defaultKeyStore()).createKey("app-key");
    store = open(StoreConfig.builder(dir));
    store.createStream(CreateStreamRequest.provisioned("s", 1));
  }

  private LocalStreamStore open(StoreConfig.Builder config) {
    return LocalStreamStore.open(config.setClock(clock).build());
  }

  private Path defaultKeyStore() {
    return dir.resolve("keys").resolve("keystore.json");
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void theAwsManagedKeyIsCreatedOnFirstUse() {
    assertThat(LocalKeyStore.open(defaultKeyStore()).contains(LocalKeyStore.AWS_MANAGED_KEY_ID)).isFalse();
    store.startStreamEncryption("s", LocalKeyStore.AWS_MANAGED_KEY_ID);
    assertThat(store.describeStreamSummary("s").encryptionType()).isEqualTo(EncryptionType.KMS);
    assertThat(store.describeStreamSummary("s").keyId()).isEqualTo(LocalKeyStore.AWS_MANAGED_KEY_ID);
    assertThat(LocalKeyStore.open(defaultKeyStore()).contains(LocalKeyStore.AWS_MANAGED_KEY_ID)).isTrue();

    PutRecordResult put = store.putRecord("s", entry("k", "secret"), null);
    assertThat(put.encryptionType()).isEqualTo(EncryptionType.KMS);
    Record read = readAll().get(0);
    assertThat(StoreTesting.text(read)).isEqualTo("secret");
    assertThat(read.partitionKey()).isEqualTo("k");
    assertThat(read.encryptionType()).isEqualTo(EncryptionType.KMS);
  }

  @Test
  void recordsAreEncryptedOnlyWhileEncryptionIsOn() throws IOException {
    String before = marker("before");
    String during = marker("during");
    String after = marker("after");

    assertThat(store.putRecord("s", entry("k1", before), null).encryptionType()).isEqualTo(EncryptionType.NONE);
    store.startStreamEncryption("s", "app-key");
    assertThat(store.putRecords("s", List.of(entry("k2", during), entry("k3", during + "-2")))
        .encryptionType()).isEqualTo(EncryptionType.KMS);
    store.stopStreamEncryption("s");
    assertThat(store.describeStreamSummary("s").encryptionType()).isEqualTo(EncryptionType.NONE);
    assertThat(store.putRecord("s", entry("k4", after), null).encryptionType()).isEqualTo(EncryptionType.NONE);

    List<Record> records = readAll();
    assertThat(records).extracting(StoreTesting::text).containsExactly(before, during, during + "-2", after);
    assertThat(records).extracting(Record::partitionKey).containsExactly("k1", "k2", "k3", "k4");
    assertThat(records).extracting(Record::encryptionType).containsExactly(
        EncryptionType.NONE, EncryptionType.KMS, EncryptionType.KMS, EncryptionType.NONE);

    // The files hold the plaintext of unencrypted records (so the scan does find data) and
    // nothing of the encrypted ones.
    assertThat(onDisk(before)).isTrue();
    assertThat(onDisk(after)).isTrue();
    assertThat(onDisk(during)).isFalse();
  }

  @Test
  void anUnknownKeyIsRefusedAndChangesNothing() {
    assertThatThrownBy(() -> store.startStreamEncryption("s", "no-such-key"))
        .isInstanceOf(KmsNotFoundException.class).hasMessageContaining("no-such-key");
    assertThat(store.describeStreamSummary("s").encryptionType()).isEqualTo(EncryptionType.NONE);
    assertThat(store.putRecord("s", entry("k", "v"), null).encryptionType()).isEqualTo(EncryptionType.NONE);
  }

  @Test
  void encryptedRecordsSurviveReopeningWithTheirKeys() {
    store.startStreamEncryption("s", "app-key");
    store.putRecord("s", entry("k", "kept"), null);
    store.close();
    store = open(StoreConfig.builder(dir));
    assertThat(store.describeStreamSummary("s").keyId()).isEqualTo("app-key");
    assertThat(readAll()).extracting(StoreTesting::text).containsExactly("kept");
    assertThat(store.putRecord("s", entry("k", "more"), null).encryptionType()).isEqualTo(EncryptionType.KMS);
  }

  @Test
  void withoutTheKeyEncryptedRecordsGiveAClearErrorAndTheOthersStayReadable() {
    String plainBefore = store.putRecord("s", entry("k", "plain-1"), null).sequenceNumber();
    store.startStreamEncryption("s", "app-key");
    String secret = store.putRecord("s", entry("k", "secret"), null).sequenceNumber();
    store.stopStreamEncryption("s");
    String plainAfter = store.putRecord("s", entry("k", "plain-2"), null).sequenceNumber();
    store.close();

    Path emptyKeys = elsewhere.resolve("keystore.json");
    store = open(StoreConfig.builder(dir).setKeyStoreFile(emptyKeys));
    String fromStart = store.getShardIterator("s", SHARD, StartingPosition.trimHorizon());
    assertThatThrownBy(() -> store.getRecords(fromStart, 100))
        .isInstanceOf(KmsNotFoundException.class)
        .hasMessageContaining("app-key")
        .hasMessageContaining(emptyKeys.toString());
    String atSecret = store.getShardIterator("s", SHARD, StartingPosition.atSequenceNumber(secret));
    assertThatThrownBy(() -> store.getRecords(atSecret, 1)).isInstanceOf(KmsNotFoundException.class);

    GetRecordsResult first = store.getRecords(
        store.getShardIterator("s", SHARD, StartingPosition.atSequenceNumber(plainBefore)), 1);
    assertThat(first.records()).extracting(StoreTesting::text).containsExactly("plain-1");
    GetRecordsResult last = store.getRecords(
        store.getShardIterator("s", SHARD, StartingPosition.afterSequenceNumber(secret)), 100);
    assertThat(last.records()).extracting(Record::sequenceNumber).containsExactly(plainAfter);
    assertThat(last.records()).extracting(StoreTesting::text).containsExactly("plain-2");

    // Nothing was lost: with its key store back, every record reads again.
    store.close();
    store = open(StoreConfig.builder(dir));
    assertThat(readAll()).extracting(StoreTesting::text).containsExactly("plain-1", "secret", "plain-2");
  }

  @Test
  void aFanOutSubscriptionFailsClearlyAtAnEncryptedRecordWithoutItsKey() throws Exception {
    store.startStreamEncryption("s", "app-key");
    store.putRecord("s", entry("k", "secret"), null);
    store.close();
    store = open(StoreConfig.builder(dir).setKeyStoreFile(elsewhere.resolve("keystore.json")));
    String consumer = store.registerStreamConsumer("s", "app").consumerArn();
    EnhancedFanOutTest.Recorder recorder = new EnhancedFanOutTest.Recorder(Long.MAX_VALUE);
    store.subscribeToShard(consumer, SHARD, StartingPosition.trimHorizon(), recorder);
    assertThat(recorder.awaitError()).isInstanceOf(KmsNotFoundException.class).hasMessageContaining("app-key");
    assertThat(recorder.events).allSatisfy(e -> assertThat(e.records()).isEmpty());
  }

  @Test
  void writingWhileTheStreamsKeyIsMissingFailsWithoutStoringAnything() {
    store.startStreamEncryption("s", "app-key");
    store.close();
    store = open(StoreConfig.builder(dir).setKeyStoreFile(elsewhere.resolve("keystore.json")));
    assertThatThrownBy(() -> store.putRecord("s", entry("k", "v"), null))
        .isInstanceOf(KmsNotFoundException.class).hasMessageContaining("app-key");
    assertThatThrownBy(() -> store.putRecords("s", List.of(entry("a", "1"), entry("b", "2"))))
        .isInstanceOf(KmsNotFoundException.class);
    assertThat(store.metrics("s").incomingRecords()).isZero();
    assertThat(readAll()).isEmpty();
  }

  @Test
  void keysCountAsBesideTheDataOnlyInsideTheDataFolder() {
    assertThat(StoreConfig.builder(dir).build().keysBesideData()).isTrue();
    assertThat(StoreConfig.builder(dir).setKeyStoreFile(dir.resolve("elsewhere/../keys.json")).build()
        .keysBesideData()).isTrue();
    assertThat(StoreConfig.builder(dir).setKeyStoreFile(elsewhere.resolve("keystore.json")).build()
        .keysBesideData()).isFalse();
  }

  private List<Record> readAll() {
    return StoreTesting.readAll(store, "s", SHARD, StartingPosition.trimHorizon());
  }

  private static String marker(String name) {
    return name + "-" + UUID.randomUUID();
  }

  /** Whether any file under the data folder contains {@code text}. */
  private boolean onDisk(String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile).forEach(files::add);
    }
    assertThat(files).anyMatch(f -> f.toString().endsWith(".log"));
    for (Path file : files) {
      if (indexOf(Files.readAllBytes(file), needle) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
