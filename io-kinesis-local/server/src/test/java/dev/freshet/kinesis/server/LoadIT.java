package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 64 connections, each on its own thread and keep-alive HTTP connection, put PutRecords batches
 * into a 4-shard stream for 30 s ({@code -Dload.seconds=N} to change). Every acknowledged record
 * must then be read back exactly once, with its acknowledged sequence number, in increasing
 * sequence order per shard, and in send order per connection and partition key. Throughput is
 * printed, not asserted.
 */
class LoadIT {
  private static final int CONNECTIONS = 64;
  private static final int BATCH = 100;
  private static final int KEYS_PER_CONNECTION = 8;
  private static final String STREAM = "load";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private LocalStreamStore store;
  private KinesisServer server;

  @BeforeEach
  void start() {
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());
    server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store);
    store.createStream(CreateStreamRequest.provisioned(STREAM, 4));
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  /** What one connection had acknowledged: the sequence number of its n-th record, in send order. */
  private static final class Acks {
    final List<String> sequenceNumbers = new ArrayList<>();
    final List<String> shards = new ArrayList<>();
    long requests;
    long bytes;
  }

  @Test
  void everyAcknowledgedRecordIsReadBackOnceInOrder() throws Exception {
    long seconds = Long.getLong("load.seconds", 30);
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
    List<Future<Acks>> futures = new ArrayList<>();
    long started = System.nanoTime();
    for (int c = 0; c < CONNECTIONS; c++) {
      int connection = c;
      futures.add(pool.submit(() -> put(connection, deadline)));
    }
    List<Acks> acks = new ArrayList<>();
    for (Future<Acks> future : futures) {
      acks.add(future.get());
    }
    double elapsed = (System.nanoTime() - started) / 1e9;
    pool.shutdown();
    long records = acks.stream().mapToLong(a -> a.sequenceNumbers.size()).sum();
    long requests = acks.stream().mapToLong(a -> a.requests).sum();
    long bytes = acks.stream().mapToLong(a -> a.bytes).sum();
    System.out.printf("LoadIT: %d connections, %.1f s: %d records acknowledged in %d PutRecords = %.0f records/s, "
        + "%.0f requests/s, %.1f MB/s of request bodies%n", CONNECTIONS, elapsed, records, requests,
        records / elapsed, requests / elapsed, bytes / elapsed / 1e6);
    assertThat(records).isPositive();

    long readStart = System.nanoTime();
    Map<String, Integer> lastPerKey = new HashMap<>();
    long read = 0;
    for (Shard shard : store.describeStream(STREAM).shards()) {
      BigInteger previous = BigInteger.ONE.negate();
      String iterator = store.getShardIterator(STREAM, shard.shardId(), StartingPosition.trimHorizon());
      while (iterator != null) {
        GetRecordsResult result = store.getRecords(iterator, 10_000);
        for (Record record : result.records()) {
          read++;
          BigInteger sequence = new BigInteger(record.sequenceNumber());
          assertThat(sequence).as("sequence numbers increase in %s", shard.shardId()).isGreaterThan(previous);
          previous = sequence;
          String[] id = new String(record.data(), 0, 24, StandardCharsets.US_ASCII).trim().split("-");
          int connection = Integer.parseInt(id[0]);
          int n = Integer.parseInt(id[1]);
          Acks mine = acks.get(connection);
          assertThat(n).as("record %s-%s was acknowledged", connection, n).isLessThan(mine.sequenceNumbers.size());
          assertThat(record.sequenceNumber()).as("record %s-%s", connection, n).isEqualTo(mine.sequenceNumbers.get(n));
          assertThat(shard.shardId()).isEqualTo(mine.shards.get(n));
          Integer last = lastPerKey.put(record.partitionKey(), n);
          assertThat(last == null || last < n).as("send order of key %s: %s then %s", record.partitionKey(), last, n)
              .isTrue();
        }
        iterator = result.records().isEmpty() ? null : result.nextShardIterator();
      }
    }
    System.out.printf("LoadIT: read back %d records in %.1f s%n", read, (System.nanoTime() - readStart) / 1e9);
    // Every record read was acknowledged once with its own sequence number (checked above), and
    // as many were read as acknowledged: so each acknowledged record was read exactly once.
    assertThat(read).isEqualTo(records);
  }

  private Acks put(int connection, long deadline) throws Exception {
    Acks acks = new Acks();
    try (RawHttpConnection http = new RawHttpConnection(server.address(), 60_000)) {
      byte[] padding = new byte[76];
      java.util.Arrays.fill(padding, (byte) 'p');
      while (System.nanoTime() < deadline) {
        ObjectNode body = JSON.createObjectNode().put("StreamName", STREAM);
        ArrayNode entries = body.putArray("Records");
        int first = acks.sequenceNumbers.size();
        for (int i = 0; i < BATCH; i++) {
          int n = first + i;
          byte[] data = new byte[100];
          byte[] id = String.format("%-24s", connection + "-" + n).getBytes(StandardCharsets.US_ASCII);
          System.arraycopy(id, 0, data, 0, 24);
          System.arraycopy(padding, 0, data, 24, padding.length);
          entries.addObject().put("PartitionKey", "c" + connection + "-k" + (n % KEYS_PER_CONNECTION))
              .put("Data", Base64.getEncoder().encodeToString(data));
        }
        byte[] request = JSON.writeValueAsBytes(body);
        http.send(RawHttpConnection.post(Map.of("Content-Type", "application/x-amz-json-1.1",
            "X-Amz-Target", "Kinesis_20131202.PutRecords"), request));
        RawHttpConnection.Response response = http.read();
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        JsonNode result = JSON.readTree(response.body());
        // Throttling is off in this store, so a failed entry would be a server fault, and a
        // retried one would break the per-key order this test checks.
        assertThat(result.get("FailedRecordCount").asInt()).as(result.toString()).isZero();
        for (JsonNode entry : result.get("Records")) {
          acks.sequenceNumbers.add(entry.get("SequenceNumber").asText());
          acks.shards.add(entry.get("ShardId").asText());
        }
        acks.requests++;
        acks.bytes += request.length;
      }
    }
    return acks;
  }
}
