package dev.freshet.sdk.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.aggregation.AggregatedRecords;
import dev.freshet.sdk.producer.StreamProducer;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.StreamClients;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The producer through freshet server and the remote client, as a program off the server's JVM would use it. */
class StreamProducerRemoteIT {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void recordsSentRemotelyAreAllStored(boolean aggregation) {
    try (LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(dir).build());
        KinesisServer server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store);
        StreamClients.Lease lease = StreamClients.acquire(server.endpoint())) {
      lease.client().createStream(CreateStreamRequest.provisioned("remote", 3));
      try (StreamProducer producer = StreamProducer.builder(lease.client()).aggregation(aggregation).build()) {
        for (int i = 0; i < 1500; i++) {
          producer.send("remote", PutRecordsEntry.of("k" + (i % 50), "v" + i));
        }
        producer.flush();
        assertThat(producer.metrics().recordsSent()).isEqualTo(1500);
        assertThat(producer.metrics().aggregatedRecords() > 0).isEqualTo(aggregation);
      }
      List<String> values = new ArrayList<>();
      for (Record record : StreamProducerTest.readAll(store, "remote")) {
        if (AggregatedRecords.isAggregated(record.data())) {
          AggregatedRecords.decode(record.data()).forEach(u -> values.add(StreamProducerTest.utf8(u.data())));
        } else {
          values.add(StreamProducerTest.utf8(record.data()));
        }
      }
      assertThat(values).hasSize(1500).doesNotHaveDuplicates();
    }
  }
}
