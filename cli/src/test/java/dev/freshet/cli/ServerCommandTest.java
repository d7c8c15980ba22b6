package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code freshet server}'s start-up errors: one line naming the problem, and the data left alone. */
class ServerCommandTest {
  @TempDir Path dataDir;
  @TempDir Path files;
  private Cli cli;

  @BeforeEach
  void setUp() {
    cli = new Cli(dataDir);
  }

  @Test
  void aMalformedCredentialsFileNamesTheLine() throws IOException {
    Path credentials = Files.writeString(files.resolve("credentials"),
        "[default]\naws_access_key_id AKID\n");
    Cli.Result result = cli.run("server", "--port", 0, "--credentials", credentials);
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("error: Malformed credentials file " + credentials + " at line 2")
        .doesNotContain("\tat ");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void aMissingCredentialsFileIsNamed() {
    Path missing = files.resolve("nope");
    Cli.Result result = cli.run("server", "--port", 0, "--credentials", missing);
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("error: cannot read the credentials file " + missing);
  }

  @Test
  void aFileThatIsNotAKeystoreIsRefusedAndTheStoreIsReleased() throws IOException {
    Path keyStore = Files.writeString(files.resolve("server.p12"), "not a keystore");
    Cli.Result result = cli.run("server", "--port", 0, "--tls", "--tls-keystore", keyStore,
        "--tls-password", "changeit");
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("error: cannot use the TLS keystore " + keyStore + ": ")
        .doesNotContain("\tat ");
    LocalStreamStore.open(StoreConfig.builder(dataDir).build()).close();
  }

  @Test
  void aMissingKeystoreIsNamed() {
    Path missing = files.resolve("missing.p12");
    Cli.Result result = cli.run("server", "--tls", "--tls-keystore", missing, "--tls-password", "pw");
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("error: the TLS keystore " + missing + " is not a readable file");
  }

  @Test
  void inconsistentOptionsAreUsageErrors() throws IOException {
    Path keyStore = Files.writeString(files.resolve("server.p12"), "x");
    assertThat(cli.run("server", "--tls-keystore", keyStore, "--tls-password", "pw").err())
        .startsWith("--tls-keystore and --tls-password need --tls");
    assertThat(cli.run("server", "--tls", "--tls-keystore", keyStore).err())
        .startsWith("--tls-keystore and --tls-password go together");
    Cli.Result account = cli.run("server", "--account", "12");
    assertThat(account.exitCode()).isEqualTo(2);
    assertThat(account.err()).startsWith("--account must be 12 digits, but was: 12");
    Cli.Result port = cli.run("server", "--port", 70000);
    assertThat(port.exitCode()).isEqualTo(2);
    assertThat(port.err()).startsWith("--port must be between 0 and 65535, but was: 70000");
  }
}
