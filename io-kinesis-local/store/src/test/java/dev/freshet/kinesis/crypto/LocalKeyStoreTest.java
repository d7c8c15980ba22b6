package dev.freshet.kinesis.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.freshet.sdk.stream.errors.KmsNotFoundException;
import dev.freshet.sdk.stream.errors.ValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKeyStoreTest {
  @TempDir Path folder;

  @Test
  void aMissingFileOpensAnEmptyStoreAndIsNotCreatedUntilAKeyIs() {
    Path file = folder.resolve("keys.json");
    LocalKeyStore store = LocalKeyStore.open(file);
    assertThat(store.keyIds()).isEmpty();
    assertThat(store.contains("a")).isFalse();
    assertThat(file).doesNotExist();
  }

  @Test
  void keysSurviveReopening() {
    Path file = folder.resolve("sub/keys.json");
    LocalKeyStore store = LocalKeyStore.open(file);
    store.createKey("orders-key");
    store.createKey("alias/other");
    SecretKey key = store.key("orders-key");
    assertThat(key.getEncoded()).hasSize(32);
    assertThat(key.getAlgorithm()).isEqualTo("AES");

    LocalKeyStore reopened = LocalKeyStore.open(file);
    assertThat(reopened.keyIds()).containsExactly("alias/other", "orders-key");
    assertThat(reopened.key("orders-key").getEncoded()).isEqualTo(key.getEncoded());
    assertThat(reopened.key("alias/other").getEncoded())
        .isNotEqualTo(key.getEncoded());
  }

  @Test
  void theFileIsOwnerOnlyAndLeavesNoTemporaryFiles() throws IOException {
    Path file = folder.resolve("keys.json");
    LocalKeyStore.open(file).createKey("k");
    assertThat(Files.list(folder)).containsExactly(file);
    assumeTrue(Files.getFileStore(folder).supportsFileAttributeView("posix"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void creatingAnExistingKeyFailsAndKeepsTheOldMaterial() {
    LocalKeyStore store = LocalKeyStore.open(folder.resolve("keys.json"));
    store.createKey("k");
    byte[] before = store.key("k").getEncoded();
    assertThatThrownBy(() -> store.createKey("k"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'k'")
        .hasMessageContaining("already exists");
    assertThat(store.key("k").getEncoded()).isEqualTo(before);
  }

  @Test
  void anUnknownKeyNamesTheIdAndTheFile() {
    Path file = folder.resolve("keys.json");
    LocalKeyStore store = LocalKeyStore.open(file);
    assertThatThrownBy(() -> store.key("missing"))
        .isInstanceOf(KmsNotFoundException.class)
        .hasMessageContaining("'missing'")
        .hasMessageContaining(file.toString());
    assertThatThrownBy(() -> store.keyOrCreateAwsManaged("alias/aws/other"))
        .isInstanceOf(KmsNotFoundException.class)
        .hasMessageContaining("alias/aws/other");
    assertThat(store.keyIds()).isEmpty();
  }

  @Test
  void theAwsManagedKeyIsCreatedOnFirstUseAndKept() {
    Path file = folder.resolve("keys.json");
    LocalKeyStore store = LocalKeyStore.open(file);
    SecretKey first = store.keyOrCreateAwsManaged(LocalKeyStore.AWS_MANAGED_KEY_ID);
    SecretKey second = store.keyOrCreateAwsManaged(LocalKeyStore.AWS_MANAGED_KEY_ID);
    assertThat(second.getEncoded()).isEqualTo(first.getEncoded());
    assertThat(LocalKeyStore.open(file).key("alias/aws/kinesis").getEncoded())
        .isEqualTo(first.getEncoded());
  }

  @Test
  void keyOrCreateAwsManagedReturnsExistingCustomerKeys() {
    LocalKeyStore store = LocalKeyStore.open(folder.resolve("keys.json"));
    store.createKey("mine");
    assertThat(store.keyOrCreateAwsManaged("mine")).isSameAs(store.key("mine"));
  }

  @Test
  void keyIdsFollowTheServiceLengthLimits() {
    LocalKeyStore store = LocalKeyStore.open(folder.resolve("keys.json"));
    store.createKey("x".repeat(2048));
    store.createKey("y");
    assertThatThrownBy(() -> store.createKey(""))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("keyId");
    assertThatThrownBy(() -> store.createKey("z".repeat(2049)))
        .isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> store.createKey(null)).isInstanceOf(ValidationException.class);
    assertThatThrownBy(() -> store.keyOrCreateAwsManaged(""))
        .isInstanceOf(ValidationException.class);
    assertThat(store.keyIds()).hasSize(2);
  }

  @Test
  void keyIdsIsASnapshot() {
    LocalKeyStore store = LocalKeyStore.open(folder.resolve("keys.json"));
    store.createKey("a");
    var ids = store.keyIds();
    store.createKey("b");
    assertThat(ids).containsExactly("a");
    assertThatThrownBy(() -> ids.add("c")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void invalidFilesAreRejectedNamingTheFileAndLeftUntouched() throws IOException {
    String[] contents = {
      "not json",
      "[]",
      "{\"version\":2,\"keys\":[]}",
      "{\"version\":1}",
      "{\"version\":1,\"keys\":[{\"keyId\":\"k\"}]}",
      "{\"version\":1,\"keys\":[{\"keyId\":\"k\",\"material\":\"***\"}]}",
      "{\"version\":1,\"keys\":[{\"keyId\":\"k\",\"material\":\"AAAA\"}]}",
    };
    Path file = folder.resolve("keys.json");
    for (String content : contents) {
      Files.writeString(file, content);
      assertThatThrownBy(() -> LocalKeyStore.open(file))
          .as(content)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(file.toString());
      assertThat(Files.readString(file)).isEqualTo(content);
    }
  }

  @Test
  void aDuplicatedKeyIdIsRejectedWithoutShowingMaterial() throws IOException {
    String material = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    String entry = "{\"keyId\":\"k\",\"material\":\"" + material + "\"}";
    Path file = folder.resolve("keys.json");
    Files.writeString(file, "{\"version\":1,\"keys\":[" + entry + "," + entry + "]}");
    assertThatThrownBy(() -> LocalKeyStore.open(file))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("twice");
  }

  @Test
  void theFileIsJsonWithBase64Material() throws IOException {
    Path file = folder.resolve("keys.json");
    LocalKeyStore store = LocalKeyStore.open(file);
    store.createKey("k");
    String json = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    assertThat(json)
        .contains("\"version\"")
        .contains("\"keyId\" : \"k\"")
        .contains(java.util.Base64.getEncoder().encodeToString(store.key("k").getEncoded()));
  }
}
