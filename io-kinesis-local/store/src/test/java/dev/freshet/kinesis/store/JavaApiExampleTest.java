package dev.freshet.kinesis.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's ten lines of Java API, kept compiling and working. */
class JavaApiExampleTest {
  @TempDir Path dataDir;

  @Test
  void readmeExample() {
    List<String> printed = new ArrayList<>();
    // From README.md, with Path.of("freshet-data") replaced by the test folder.
    try (StreamClient client = LocalStreamStore.open(StoreConfig.builder(dataDir).build())) {
      client.createStream(CreateStreamRequest.provisioned("clicks", 2));
      client.putRecord("clicks", PutRecordsEntry.of("user-1", "{\"page\":\"/\"}"), null);
      for (Shard shard : client.listShards(ListShardsRequest.of("clicks")).shards()) {
        String iterator = client.getShardIterator("clicks", shard.shardId(), StartingPosition.trimHorizon());
        for (Record record : client.getRecords(iterator, 100).records()) {
          printed.add(record.partitionKey() + " " + new String(record.data(), UTF_8));
        }
      }
    }
    assertThat(printed).containsExactly("user-1 {\"page\":\"/\"}");
  }
}
