package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerCredentialsTest {
  @TempDir Path dir;

  private Path file(String content) throws IOException {
    return Files.writeString(dir.resolve("credentials"), content);
  }

  @Test
  void readsEveryProfileAsOneKey() throws IOException {
    ServerCredentials keys = ServerCredentials.load(file("""
        # local keys
        [default]
        aws_access_key_id = AKIDEFAULT
        aws_secret_access_key=secret/one+x
        region = us-east-1

        ; another one
        [ci]
        AWS_ACCESS_KEY_ID=AKICI
        aws_secret_access_key = two
        """));
    assertThat(keys.accessKeyIds()).containsExactly("AKIDEFAULT", "AKICI");
    assertThat(keys.secretKey("AKIDEFAULT")).isEqualTo("secret/one+x");
    assertThat(keys.secretKey("AKICI")).isEqualTo("two");
    assertThat(keys.toString()).doesNotContain("secret/one+x").doesNotContain("two");
  }

  @Test
  void namesFileAndLineOfMalformedContent() throws IOException {
    Path bad = file("[default]\naws_access_key_id=A\nthis is not a setting\n");
    assertThatThrownBy(() -> ServerCredentials.load(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(bad.toString()).hasMessageContaining("line 3");
    Path header = file("[default\naws_access_key_id=A\n");
    assertThatThrownBy(() -> ServerCredentials.load(header)).hasMessageContaining("line 1")
        .hasMessageContaining("[name]");
    Path orphan = file("aws_access_key_id=A\n");
    assertThatThrownBy(() -> ServerCredentials.load(orphan)).hasMessageContaining("line 1")
        .hasMessageContaining("before the first [profile]");
  }

  @Test
  void refusesAProfileWithHalfAKey() throws IOException {
    Path half = file("[default]\naws_access_key_id=A\naws_secret_access_key=s\n[other]\naws_access_key_id=B\n");
    assertThatThrownBy(() -> ServerCredentials.load(half))
        .hasMessageContaining("line 4").hasMessageContaining("[other]")
        .hasMessageContaining("no aws_secret_access_key");
    Path empty = file("[default]\naws_access_key_id=\n");
    assertThatThrownBy(() -> ServerCredentials.load(empty)).hasMessageContaining("line 2")
        .hasMessageContaining("empty");
  }

  @Test
  void refusesAFileWithoutKeys() throws IOException {
    Path none = file("# nothing\n[default]\nregion=us-east-1\n");
    assertThatThrownBy(() -> ServerCredentials.load(none)).hasMessageContaining(none.toString())
        .hasMessageContaining("no [profile] with access keys");
    assertThatThrownBy(() -> ServerCredentials.load(dir.resolve("missing")))
        .isInstanceOf(java.io.UncheckedIOException.class).hasMessageContaining("missing");
  }
}
