package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Where the store's encryption keys live: {@code --key-store}, {@code FRESHET_KEY_STORE}, or the data folder. */
class KeyStoreOptionTest {
  @TempDir Path dataDir;
  @TempDir Path secrets;

  private Freshet parse(Map<String, String> environment, String... args) {
    CommandLine commandLine = Freshet.commandLine();
    Freshet root = commandLine.getCommand();
    root.environment = environment::get;
    commandLine.parseArgs(args);
    return root;
  }

  @Test
  void byDefaultTheKeysAreInsideTheDataFolder() {
    Freshet root = parse(Map.of(), "--data-dir", dataDir.toString(), "streams", "list");
    assertThat(root.storeConfig().build().effectiveKeyStoreFile())
        .isEqualTo(dataDir.resolve("keys").resolve("keystore.json"));
    assertThat(root.storeConfig().build().keysBesideData()).isTrue();
  }

  @Test
  void theEnvironmentVariableMovesThemOut() {
    Path file = secrets.resolve("keys.json");
    Freshet root = parse(Map.of("FRESHET_KEY_STORE", file.toString()),
        "--data-dir", dataDir.toString(), "streams", "list");
    assertThat(root.storeConfig().build().effectiveKeyStoreFile()).isEqualTo(file);
    assertThat(root.storeConfig().build().keysBesideData()).isFalse();
  }

  @Test
  void theOptionWinsOverTheEnvironmentBeforeOrAfterTheSubcommand() {
    Path fromOption = secrets.resolve("option.json");
    Map<String, String> environment = Map.of("FRESHET_KEY_STORE", secrets.resolve("env.json").toString());
    assertThat(parse(environment, "--key-store", fromOption.toString(), "--data-dir", dataDir.toString(),
        "streams", "list").storeConfig().build().effectiveKeyStoreFile()).isEqualTo(fromOption);
    assertThat(parse(environment, "--data-dir", dataDir.toString(), "server", "--key-store",
        fromOption.toString()).storeConfig().build().effectiveKeyStoreFile()).isEqualTo(fromOption);
  }

  @Test
  void aStoreOpenedThroughTheCliKeepsItsKeysWhereTheOptionSays() {
    Path file = secrets.resolve("keys.json");
    Cli cli = new Cli(dataDir);
    assertThat(cli.run("--key-store", file, "streams", "create", "secret").exitCode()).isZero();
    Freshet root = parse(Map.of(), "--key-store", file.toString(), "--data-dir", dataDir.toString(),
        "streams", "list");
    try (var store = root.openStore()) {
      store.startStreamEncryption("secret", "alias/aws/kinesis");
    }
    assertThat(file).exists();
    assertThat(dataDir.resolve("keys").resolve("keystore.json")).doesNotExist();
  }
}
