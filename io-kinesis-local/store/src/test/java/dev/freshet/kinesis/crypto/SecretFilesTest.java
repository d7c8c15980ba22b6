package dev.freshet.kinesis.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFilesTest {
  @TempDir Path folder;

  @Test
  void createsOnceThenReadsTheSameSecret() {
    Path file = folder.resolve("a/b/secret");
    byte[] first = SecretFiles.readOrCreate(file, 32);
    assertThat(first).hasSize(32);
    assertThat(SecretFiles.readOrCreate(file, 32)).isEqualTo(first);
    assertThat(SecretFiles.readOrCreate(folder.resolve("other"), 32)).isNotEqualTo(first);
  }

  @Test
  void aSecretOfTheWrongLengthIsRejectedAndKept() throws IOException {
    Path file = folder.resolve("secret");
    Files.write(file, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> SecretFiles.readOrCreate(file, 32))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("3 bytes");
    assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
  }

  @Test
  void writeAtomicallyReplacesContent() throws IOException {
    Path file = folder.resolve("f");
    SecretFiles.writeAtomically(file, new byte[] {1});
    SecretFiles.writeAtomically(file, new byte[] {2, 3});
    assertThat(Files.readAllBytes(file)).containsExactly(2, 3);
    try (var entries = Files.list(folder)) {
      assertThat(entries).containsExactly(file);
    }
  }
}
