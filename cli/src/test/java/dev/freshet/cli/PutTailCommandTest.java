package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.HashKeyRange;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PutTailCommandTest {
  @TempDir Path dataDir;
  @TempDir Path files;
  private Cli cli;

  @BeforeEach
  void createStream() {
    cli = new Cli(dataDir);
    assertThat(cli.run("streams", "create", "logs", "--shards", "4").exitCode()).isZero();
  }

  private Path file(String... lines) throws IOException {
    Path file = Files.createTempFile(files, "in", ".txt");
    Files.write(file, List.of(lines), StandardCharsets.UTF_8);
    return file;
  }

  private List<String[]> tail(String... options) {
    List<String> args = new ArrayList<>(List.of("tail", "logs", "--no-follow"));
    args.addAll(List.of(options));
    Cli.Result result = cli.run(args.toArray());
    assertThat(result.exitCode()).as(result.err()).isZero();
    List<String[]> records = new ArrayList<>();
    for (String line : result.lines()) {
      records.add(line.split("\t", -1));
    }
    return records;
  }

  @Test
  void putWithOnePartitionKeyThenTailReadsThemBackInOrder() throws IOException {
    Cli.Result put = cli.run("put", "logs", "--file", file("first", "second", "", "third é"), "--partition-key", "k1");
    assertThat(put.exitCode()).as(put.err()).isZero();
    assertThat(put.out()).startsWith("put 3 records").contains("to 1 shard of logs");

    List<String[]> records = tail();
    assertThat(records).extracting(r -> r[1] + "=" + r[2]).containsExactly("k1=first", "k1=second", "k1=third é");
    assertThat(new BigInteger(records.get(0)[0])).isLessThan(new BigInteger(records.get(2)[0]));
  }

  @Test
  void putWithAKeyFieldSpreadsOverShardsAndKeepsPerKeyOrder() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 1200; i++) {
      lines.add(String.format("{\"user\":\"u%d\",\"n\":%d,\"nested\":{\"user\":\"x\"}}", i % 37, i));
    }
    Cli.Result put = cli.run("put", "logs", "--file", file(lines.toArray(String[]::new)), "--key-field", "user");
    assertThat(put.exitCode()).as(put.err()).isZero();
    assertThat(put.out()).startsWith("put 1,200 records").contains("to 4 shards of logs");

    List<String[]> records = tail();
    assertThat(records).hasSize(1200);
    Map<String, Integer> lastByKey = new HashMap<>();
    for (String[] record : records) {
      int n = Integer.parseInt(record[2].replaceAll(".*\"n\":(\\d+).*", "$1"));
      assertThat(record[1]).isEqualTo("u" + (n % 37));
      Integer previous = lastByKey.put(record[1], n);
      assertThat(previous == null || previous < n).as("order of key %s", record[1]).isTrue();
    }
    assertThat(tail("--max", "10")).hasSize(10);
  }

  @Test
  void badJsonNamesTheLineAndKeepsTheLinesBeforeIt() throws IOException {
    Cli.Result put = cli.run("put", "logs", "--file",
        file("{\"id\":\"a\"}", "{\"id\":7}", "{not json", "{\"id\":\"c\"}"), "--key-field", "id");
    assertThat(put.exitCode()).isEqualTo(1);
    assertThat(put.err()).startsWith("error: line 3: not JSON").contains("2 records before it were written")
        .doesNotContain("\tat ");
    assertThat(tail()).extracting(r -> r[1]).containsExactlyInAnyOrder("a", "7");
  }

  @Test
  void missingKeyFieldNamesTheLine() throws IOException {
    Cli.Result put = cli.run("put", "logs", "--file", file("{\"id\":\"a\"}", "{\"other\":1}"), "--key-field", "id");
    assertThat(put.exitCode()).isEqualTo(1);
    assertThat(put.err()).startsWith("error: line 2: no field \"id\"");

    Cli.Result nested = cli.run("put", "logs", "--file", file("{\"id\":{\"a\":1}}"), "--key-field", "id");
    assertThat(nested.err()).startsWith("error: line 1: field \"id\" is a JSON object");

    Cli.Result missingStream = cli.run("put", "nope", "--file", file("x"), "--partition-key", "k");
    assertThat(missingStream.err()).startsWith("error: ResourceNotFoundException: ");
    assertThat(cli.run("put", "logs", "--file", file("x")).exitCode()).isEqualTo(2);
    assertThat(cli.run("put", "logs", "--file", files.resolve("absent"), "--partition-key", "k").err())
        .startsWith("error: no such file: ");
  }

  @Test
  void tailPositions() throws IOException {
    cli.run("put", "logs", "--file", file("a", "b", "c"), "--partition-key", "k");
    List<String[]> all = tail();
    assertThat(tail("--from", "latest")).isEmpty();
    assertThat(tail("--from", "at-timestamp=2000-01-01T00:00:00Z")).hasSize(3);
    assertThat(tail("--from", "at-timestamp=2999-01-01T00:00:00+02:00")).isEmpty();

    String shard = shardOf(all.get(1)[0]);
    assertThat(tail("--shard", shard, "--from", "at-sequence=" + all.get(1)[0]))
        .extracting(r -> r[2]).containsExactly("b", "c");
    assertThat(cli.run("tail", "logs", "--from", "at-sequence=1").exitCode()).isEqualTo(2);
    assertThat(cli.run("tail", "logs", "--from", "yesterday").exitCode()).isEqualTo(2);
  }

  @Test
  void tailReadsChildrenAfterTheirParents() throws IOException {
    cli.run("streams", "create", "one", "--shards", "1");
    List<String> before = new ArrayList<>();
    List<String> after = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      before.add("{\"k\":\"key" + (i % 10) + "\",\"phase\":0,\"i\":" + i + "}");
      after.add("{\"k\":\"key" + (i % 10) + "\",\"phase\":1,\"i\":" + i + "}");
    }
    assertThat(cli.run("put", "one", "--file", file(before.toArray(String[]::new)), "--key-field", "k").exitCode()).isZero();
    try (StreamClient store = LocalStreamStore.open(StoreConfig.builder(dataDir).build())) {
      String parent = store.listShards(ListShardsRequest.of("one")).shards().get(0).shardId();
      store.splitShard("one", parent, HashKeyRange.MAX_HASH_KEY.shiftRight(1));
    }
    assertThat(cli.run("put", "one", "--file", file(after.toArray(String[]::new)), "--key-field", "k").exitCode()).isZero();

    Cli.Result result = cli.run("tail", "one", "--no-follow");
    assertThat(result.exitCode()).as(result.err()).isZero();
    List<String> data = result.lines().stream().map(line -> line.split("\t")[2]).toList();
    assertThat(data).hasSize(400);
    assertThat(data.subList(0, 200)).allMatch(d -> d.contains("\"phase\":0"));
    assertThat(data.subList(200, 400)).allMatch(d -> d.contains("\"phase\":1"));
    assertThat(cli.run("streams", "describe", "one").out()).contains("closed").contains(" open ");
  }

  @Test
  void dataThatIsNotPrintableTextIsBase64() {
    assertThat(TailCommand.printable("héllo".getBytes(StandardCharsets.UTF_8))).isEqualTo("héllo");
    assertThat(TailCommand.printable(new byte[] {(byte) 0xff, 0x00})).isEqualTo("/wA=");
    assertThat(TailCommand.printable("a\nb".getBytes(StandardCharsets.UTF_8))).isEqualTo("YQpi");
  }

  private String shardOf(String sequenceNumber) {
    try (StreamClient store = LocalStreamStore.open(StoreConfig.builder(dataDir).build())) {
      for (var shard : store.listShards(ListShardsRequest.of("logs")).shards()) {
        String iterator = store.getShardIterator("logs", shard.shardId(), StartingPosition.trimHorizon());
        if (store.getRecords(iterator, 100).records().stream()
            .anyMatch(record -> record.sequenceNumber().equals(sequenceNumber))) {
          return shard.shardId();
        }
      }
    }
    throw new AssertionError("no shard holds " + sequenceNumber);
  }
}
