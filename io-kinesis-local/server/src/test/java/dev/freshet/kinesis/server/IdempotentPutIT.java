package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Freshet's idempotent-write members on the wire ({@code ProducerId}, {@code ProducerSequence}),
 * against a real server on loopback over a real store: a plain client (the AWS SDK, which knows
 * nothing of them) gets the service's behaviour, a repeat sent with a producer is answered with the
 * original and not stored again, and the members survive a restart of server and store.
 */
class IdempotentPutIT {
  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    open.clear();
    System.clearProperty("aws.cborEnabled");
  }

  private KinesisServer start() {
    LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(dir).build());
    open.add(store);
    KinesisServer server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store);
    open.add(server);
    return server;
  }

  private KinesisClient sdk(KinesisServer server, boolean cbor) {
    System.setProperty("aws.cborEnabled", Boolean.toString(cbor));
    KinesisClient client = KinesisClient.builder()
        .endpointOverride(server.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")))
        .httpClient(ApacheHttpClient.create())
        .build();
    open.add(client);
    return client;
  }

  private static List<String> readAll(KinesisClient kinesis, String stream) {
    List<String> data = new ArrayList<>();
    for (Shard shard : kinesis.listShards(b -> b.streamName(stream)).shards()) {
      String iterator = kinesis.getShardIterator(b -> b.streamName(stream).shardId(shard.shardId())
          .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
      List<Record> records = kinesis.getRecords(b -> b.shardIterator(iterator).limit(10_000)).records();
      records.forEach(r -> data.add(r.data().asUtf8String()));
    }
    return data;
  }

  @ParameterizedTest(name = "cbor={0}")
  @ValueSource(booleans = {true, false})
  void aRecordThatThePlainAwsSdkSendsTwiceIsStoredTwice(boolean cbor) {
    KinesisClient kinesis = sdk(start(), cbor);
    kinesis.createStream(b -> b.streamName("plain").shardCount(2));
    PutRecordsRequestEntry entry = PutRecordsRequestEntry.builder()
        .partitionKey("k").data(SdkBytes.fromUtf8String("same")).build();

    PutRecordsResponse first = kinesis.putRecords(b -> b.streamName("plain").records(entry));
    PutRecordsResponse second = kinesis.putRecords(b -> b.streamName("plain").records(entry));
    String third = kinesis.putRecord(b -> b.streamName("plain").partitionKey("k")
        .data(SdkBytes.fromUtf8String("same"))).sequenceNumber();

    assertThat(second.records().get(0).sequenceNumber()).isNotEqualTo(first.records().get(0).sequenceNumber());
    assertThat(third).isNotEqualTo(second.records().get(0).sequenceNumber());
    assertThat(readAll(kinesis, "plain")).containsExactly("same", "same", "same");
  }

  /** A PutRecords body with producer members on every record, as JSON or CBOR. */
  private JsonNode putRecords(KinesisServer server, boolean cbor, String stream, String producer, int from, int to)
      throws Exception {
    ObjectMapper mapper = cbor ? new CBORMapper() : new ObjectMapper();
    ObjectNode body = mapper.createObjectNode().put("StreamName", stream);
    var records = body.putArray("Records");
    for (int i = from; i < to; i++) {
      ObjectNode record = records.addObject().put("PartitionKey", "key-" + i)
          .put("ProducerId", producer).put("ProducerSequence", Integer.toString(i));
      byte[] data = ("r" + i).getBytes(StandardCharsets.UTF_8);
      if (cbor) {
        record.put("Data", data);
      } else {
        record.put("Data", java.util.Base64.getEncoder().encodeToString(data));
      }
    }
    return post(server, mapper, "PutRecords", body);
  }

  private JsonNode post(KinesisServer server, ObjectMapper mapper, String operation, ObjectNode body)
      throws Exception {
    boolean cbor = mapper instanceof CBORMapper;
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.endpoint() + "/"))
        .header("Content-Type", cbor ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1")
        .header("X-Amz-Target", "Kinesis_20131202." + operation)
        .POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(body)))
        .build();
    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    JsonNode answer = mapper.readTree(response.body());
    assertThat(response.statusCode()).as("%s", answer).isEqualTo(200);
    return answer;
  }

  @ParameterizedTest(name = "cbor={0}")
  @ValueSource(booleans = {true, false})
  void aRepeatWithAProducerIsAnsweredWithTheOriginalAndNotStored(boolean cbor) throws Exception {
    KinesisServer server = start();
    KinesisClient kinesis = sdk(server, cbor);
    kinesis.createStream(b -> b.streamName("idem").shardCount(2));

    JsonNode first = putRecords(server, cbor, "idem", "job-1/shard-0", 0, 100);
    JsonNode repeat = putRecords(server, cbor, "idem", "job-1/shard-0", 50, 150);

    assertThat(first.get("FailedRecordCount").asInt()).isZero();
    assertThat(repeat.get("FailedRecordCount").asInt()).isZero();
    for (int i = 0; i < 50; i++) {
      JsonNode original = first.get("Records").get(50 + i);
      JsonNode again = repeat.get("Records").get(i);
      assertThat(again.get("Duplicate").asBoolean()).as("record %s", 50 + i).isTrue();
      assertThat(again.get("SequenceNumber").asText()).isEqualTo(original.get("SequenceNumber").asText());
      assertThat(again.get("ShardId").asText()).isEqualTo(original.get("ShardId").asText());
    }
    for (int i = 50; i < 100; i++) {
      assertThat(repeat.get("Records").get(i).has("Duplicate")).isFalse();
    }
    List<String> stored = readAll(kinesis, "idem");
    assertThat(stored).hasSize(150).doesNotHaveDuplicates();
  }

  @Test
  void whatProducersWroteSurvivesARestartOfTheServerAndStore() throws Exception {
    KinesisServer server = start();
    sdk(server, false).createStream(b -> b.streamName("idem").shardCount(2));
    JsonNode first = putRecords(server, false, "idem", "p", 0, 20);
    stop();

    KinesisServer restarted = start();
    JsonNode repeat = putRecords(restarted, false, "idem", "p", 0, 20);

    for (int i = 0; i < 20; i++) {
      assertThat(repeat.get("Records").get(i).get("Duplicate").asBoolean()).isTrue();
      assertThat(repeat.get("Records").get(i).get("SequenceNumber"))
          .isEqualTo(first.get("Records").get(i).get("SequenceNumber"));
    }
    assertThat(readAll(sdk(restarted, false), "idem")).hasSize(20);
  }

  @Test
  void aProducerIdWithoutASequenceIsAValidationError() throws Exception {
    KinesisServer server = start();
    sdk(server, false).createStream(b -> b.streamName("idem").shardCount(1));
    ObjectMapper json = new ObjectMapper();
    ObjectNode body = json.createObjectNode().put("StreamName", "idem");
    body.putArray("Records").addObject().put("PartitionKey", "k").put("Data", "eA==").put("ProducerId", "p");
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.endpoint() + "/"))
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("X-Amz-Target", "Kinesis_20131202.PutRecords")
        .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
        .build();

    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode error = json.readTree(response.body());
    assertThat(error.get("__type").asText()).isEqualTo("ValidationException");
    assertThat(error.get("message").asText())
        .isEqualTo("ProducerId and ProducerSequence must be given together, but only ProducerId was");
    assertThat(readAll(sdk(server, false), "idem")).isEmpty();
  }
}
