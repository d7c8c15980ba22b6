package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.firehose.FirehoseService;
import dev.freshet.kinesis.firehose.FirehoseServiceConfig;
import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code freshet firehose} against the Firehose API of a server on a loopback port. */
class FirehoseCommandTest {
  @TempDir Path serverDir;
  @TempDir Path cliDir;

  private List<String> delivered(String bucket) {
    Path folder = serverDir.resolve("s3").resolve(bucket);
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(f -> Files.isRegularFile(f) && !f.getFileName().toString().startsWith("."))
          .flatMap(f -> {
            try {
              return Files.readAllLines(f).stream();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void createListDescribePutDelete() throws Exception {
    try (LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(serverDir).build());
        KinesisServer server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store,
            List.of(FirehoseService.open(FirehoseServiceConfig.builder(serverDir).build(), store)))) {
      Cli cli = new Cli(cliDir);
      String endpoint = server.endpoint().toString();
      Cli.Result created = cli.run("firehose", "create", "logs", "--endpoint", endpoint, "--bucket", "lake",
          "--buffer-seconds", "0", "--newline", "--prefix", "app/");
      assertThat(created.exitCode()).as(created.err()).isZero();
      assertThat(created.out()).contains("created logs").contains("arn:aws:firehose:us-east-1:000000000000:deliverystream/logs");
      assertThat(cli.run("firehose", "list", "--endpoint", endpoint).lines()).containsExactly("logs");
      Cli.Result described = cli.run("firehose", "describe", "logs", "--endpoint", endpoint);
      assertThat(described.out()).contains("logs  ACTIVE  DirectPut  version 1")
          .contains("arn:aws:s3:::lake prefix 'app/', UNCOMPRESSED, buffer 5 MiB / 0 s");

      Cli.Result put = cli.run("firehose", "put", "logs", "first", "second", "--endpoint", endpoint);
      assertThat(put.out()).contains("put 2 records into logs");
      Await.until("two records delivered", java.time.Duration.ofSeconds(60), () -> delivered("lake").size() >= 2);
      assertThat(delivered("lake")).containsExactlyInAnyOrder("first", "second");

      Cli.Result missing = cli.run("firehose", "describe", "nope", "--endpoint", endpoint);
      assertThat(missing.exitCode()).isNotZero();
      assertThat(missing.err()).contains("ResourceNotFoundException").contains("nope");
      Cli.Result bad = cli.run("firehose", "create", "bad", "--endpoint", endpoint, "--bucket", "lake",
          "--compression", "LZMA");
      assertThat(bad.exitCode()).isNotZero();
      assertThat(bad.err()).contains("InvalidArgumentException").contains("CompressionFormat");

      assertThat(cli.run("firehose", "delete", "logs", "--endpoint", endpoint).out()).contains("deleted logs");
      assertThat(cli.run("firehose", "list", "--endpoint", endpoint).out()).contains("no delivery streams");
    }
  }
}
