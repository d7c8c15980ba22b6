package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends over 10,000 malformed requests, for every operation, from raw sockets on several
 * connections, and checks that each gets a 4xx in the service's error shape (never a 5xx, a hang
 * or a silent close), that the server still serves afterwards, and that nothing stored changed.
 * The seed is printed; rerun one with {@code -Dfuzz.seed=N}.
 */
class FuzzIT {
  private static final int LIMIT = 1 << 20;
  private static final int CONNECTIONS = 4;
  private static final int PER_CONNECTION = 2_600;
  private static final String KEEP = "fuzz-keep";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());
  /** First bytes of random JSON bodies: anything but an object's opening brace or white space. */
  private static final String JSON_STARTS = "[]\"0123456789-tfnx#@!<~\u00ff";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @TempDir Path dir;
  private LocalStreamStore store;
  private KinesisServer server;
  private final List<Record> written = new ArrayList<>();

  enum Kind { STRING, INT, BOOL, BLOB, STRINGS, OBJECTS, MAP, OBJECT, TIMESTAMP }

  /** An operation: a valid body and the members it always reads, by path, with their types. */
  record Spec(String operation, ObjectNode base, Map<String, Kind> members, boolean hasRequired) {}

  /** One malformed request and what must follow its answer. */
  record Case(String description, byte[] bytes, boolean closes) {}

  @BeforeEach
  void start() {
    store = LocalStreamStore.open(StoreConfig.builder(dir).build());
    server = KinesisServer.start(ServerConfig.builder().setPort(0).setMaxRequestBytes(LIMIT).build(), store);
    store.createStream(CreateStreamRequest.provisioned(KEEP, 2).withTags(Map.of("keep", "yes")));
    List<PutRecordsEntry> entries = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      byte[] data = new byte[i * 7];
      new Random(i).nextBytes(data);
      entries.add(PutRecordsEntry.of("key-" + i, data));
    }
    store.putRecords(KEEP, entries);
    written.addAll(readAll());
    assertThat(written).hasSize(60);
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  private List<Record> readAll() {
    List<Record> records = new ArrayList<>();
    for (Shard shard : store.describeStream(KEEP).shards()) {
      String iterator = store.getShardIterator(KEEP, shard.shardId(), StartingPosition.trimHorizon());
      while (iterator != null) {
        GetRecordsResult result = store.getRecords(iterator, 10_000);
        records.addAll(result.records());
        iterator = result.records().isEmpty() ? null : result.nextShardIterator();
      }
    }
    return records;
  }

  private String snapshot() {
    return store.describeStream(KEEP).toString() + store.listTagsForStream(KEEP)
        + store.listStreamConsumers(KEEP) + store.listStreams(null, 100).streamNames();
  }

  @Test
  void malformedRequestsGetServiceErrorsAndChangeNothing() throws Exception {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    System.out.println("FuzzIT seed=" + seed + " (rerun with -Dfuzz.seed=" + seed + ")");
    String before = snapshot();
    List<Spec> specs = specs();
    AtomicInteger sent = new AtomicInteger();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    Map<String, AtomicInteger> statuses = new java.util.concurrent.ConcurrentSkipListMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
    List<Future<?>> futures = new ArrayList<>();
    for (int c = 0; c < CONNECTIONS; c++) {
      Random random = new Random(seed + c);
      int connection = c;
      futures.add(pool.submit(() -> {
        RawHttpConnection http = null;
        for (int i = 0; i < PER_CONNECTION; i++) {
          Case next = generate(random, specs.get(random.nextInt(specs.size())));
          String where = "connection " + connection + " case " + i + " (" + next.description() + ")";
          try {
            if (http == null) {
              http = new RawHttpConnection(server.address(), 10_000);
            }
            http.send(next.bytes());
            RawHttpConnection.Response response = http.read();
            sent.incrementAndGet();
            statuses.computeIfAbsent(response.status() + " " + errorType(response), k -> new AtomicInteger())
                .incrementAndGet();
            String problem = check(response);
            if (problem != null) {
              failures.add(where + ": " + problem + "; request: " + printable(next.bytes()));
            }
            if (next.closes() && !http.closedByServer()) {
              failures.add(where + ": the connection stayed open after a refused message");
            }
            if (next.closes() || response.closes()) {
              http.close();
              http = null;
            }
          } catch (IOException e) {
            failures.add(where + ": " + e + "; request: " + printable(next.bytes()));
            closeQuietly(http);
            http = null;
          }
        }
        closeQuietly(http);
        return null;
      }));
    }
    for (Future<?> future : futures) {
      future.get();
    }
    pool.shutdown();
    System.out.println("FuzzIT sent " + sent.get() + " malformed requests; answers: " + statuses);
    assertThat(failures).as("seed " + seed).isEmpty();
    assertThat(sent.get()).isGreaterThanOrEqualTo(10_000);

    try (RawHttpConnection http = new RawHttpConnection(server.address(), 10_000)) {
      http.send(RawHttpConnection.post(Map.of("Content-Type", "application/x-amz-json-1.1",
          "X-Amz-Target", "Kinesis_20131202.DescribeStreamSummary"),
          ("{\"StreamName\":\"" + KEEP + "\"}").getBytes(StandardCharsets.UTF_8)));
      RawHttpConnection.Response response = http.read();
      assertThat(response.status()).isEqualTo(200);
      assertThat(JSON.readTree(response.body()).at("/StreamDescriptionSummary/StreamName").asText()).isEqualTo(KEEP);
    }
    assertThat(snapshot()).isEqualTo(before);
    List<Record> after = readAll();
    assertThat(after).hasSameSizeAs(written);
    for (int i = 0; i < written.size(); i++) {
      assertThat(after.get(i).sequenceNumber()).isEqualTo(written.get(i).sequenceNumber());
      assertThat(after.get(i).partitionKey()).isEqualTo(written.get(i).partitionKey());
      assertThat(after.get(i).data()).isEqualTo(written.get(i).data());
    }
  }

  private static void closeQuietly(RawHttpConnection http) {
    if (http != null) {
      try {
        http.close();
      } catch (IOException e) {
        // The connection is being dropped after a failure that is already recorded.
      }
    }
  }

  private static String errorType(RawHttpConnection.Response response) {
    return response.headers().getOrDefault("x-amzn-errortype", "-");
  }

  /** Null when the response is a 4xx with {__type, message} in its declared format. */
  private static String check(RawHttpConnection.Response response) {
    if (response.status() < 400 || response.status() > 499) {
      return "status " + response.status() + ": " + printable(response.body());
    }
    String type = response.headers().getOrDefault("content-type", "");
    try {
      JsonNode body = (type.contains("cbor") ? CBOR : JSON).readTree(response.body());
      if (body == null || !body.isObject() || !body.path("__type").isTextual() || !body.path("message").isTextual()
          || body.get("__type").asText().isEmpty()) {
        return "status " + response.status() + " without {__type, message}: " + printable(response.body());
      }
    } catch (IOException e) {
      return "status " + response.status() + " with an unreadable " + type + " body: " + printable(response.body());
    }
    return null;
  }

  private static String printable(byte[] bytes) {
    String text = new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.ISO_8859_1);
    return text.replaceAll("[^\\x20-\\x7e]", "·") + (bytes.length > 300 ? "…(" + bytes.length + " bytes)" : "");
  }

  // ---- the operations ----

  private List<Spec> specs() throws IOException {
    String arn = store.describeStreamSummary(KEEP).streamArn();
    String iterator = store.getShardIterator(KEEP, "shardId-000000000000", StartingPosition.trimHorizon());
    List<Spec> specs = new ArrayList<>();
    spec(specs, "CreateStream", "{'StreamName':'fuzz-new','ShardCount':1,'Tags':{'a':'b'}}",
        "StreamName", Kind.STRING, "ShardCount", Kind.INT, "Tags", Kind.MAP);
    spec(specs, "DeleteStream", "{'StreamName':'KEEP','EnforceConsumerDeletion':true}",
        "StreamName", Kind.STRING, "EnforceConsumerDeletion", Kind.BOOL);
    spec(specs, "DescribeStream", "{'StreamName':'KEEP','Limit':10,'ExclusiveStartShardId':'shardId-000000000000'}",
        "StreamName", Kind.STRING, "Limit", Kind.INT, "ExclusiveStartShardId", Kind.STRING);
    spec(specs, "DescribeStreamSummary", "{'StreamName':'KEEP'}", "StreamName", Kind.STRING);
    specs.add(new Spec("ListStreams", body("{'Limit':10,'ExclusiveStartStreamName':'a'}"),
        Map.of("Limit", Kind.INT, "ExclusiveStartStreamName", Kind.STRING), false));
    spec(specs, "IncreaseStreamRetentionPeriod", "{'StreamName':'KEEP','RetentionPeriodHours':48}",
        "StreamName", Kind.STRING, "RetentionPeriodHours", Kind.INT);
    spec(specs, "DecreaseStreamRetentionPeriod", "{'StreamName':'KEEP','RetentionPeriodHours':24}",
        "StreamName", Kind.STRING, "RetentionPeriodHours", Kind.INT);
    spec(specs, "AddTagsToStream", "{'StreamName':'KEEP','Tags':{'fuzz':'x'}}", "StreamName", Kind.STRING, "Tags", Kind.MAP);
    spec(specs, "RemoveTagsFromStream", "{'StreamName':'KEEP','TagKeys':['keep']}",
        "StreamName", Kind.STRING, "TagKeys", Kind.STRINGS);
    spec(specs, "ListTagsForStream", "{'StreamName':'KEEP','Limit':10}", "StreamName", Kind.STRING, "Limit", Kind.INT);
    spec(specs, "TagResource", "{'ResourceARN':'ARN','Tags':{'fuzz':'x'}}", "ResourceARN", Kind.STRING, "Tags", Kind.MAP);
    spec(specs, "UntagResource", "{'ResourceARN':'ARN','TagKeys':['keep']}",
        "ResourceARN", Kind.STRING, "TagKeys", Kind.STRINGS);
    spec(specs, "ListTagsForResource", "{'ResourceARN':'ARN'}", "ResourceARN", Kind.STRING);
    spec(specs, "UpdateStreamMode", "{'StreamARN':'ARN','StreamModeDetails':{'StreamMode':'ON_DEMAND'}}",
        "StreamARN", Kind.STRING, "StreamModeDetails", Kind.OBJECT, "StreamModeDetails/StreamMode", Kind.STRING);
    spec(specs, "EnableEnhancedMonitoring", "{'StreamName':'KEEP','ShardLevelMetrics':['ALL']}",
        "StreamName", Kind.STRING, "ShardLevelMetrics", Kind.STRINGS);
    spec(specs, "DisableEnhancedMonitoring", "{'StreamName':'KEEP','ShardLevelMetrics':['ALL']}",
        "StreamName", Kind.STRING, "ShardLevelMetrics", Kind.STRINGS);
    specs.add(new Spec("DescribeLimits", body("{}"), Map.of(), false));
    specs.add(new Spec("ListShards", body("{'StreamName':'KEEP','MaxResults':10,'ShardFilter':{'Type':'AT_LATEST'}}"),
        Map.of("StreamName", Kind.STRING, "MaxResults", Kind.INT, "ShardFilter", Kind.OBJECT,
            "ShardFilter/Type", Kind.STRING), false));
    spec(specs, "SplitShard", "{'StreamName':'KEEP','ShardToSplit':'shardId-000000000000','NewStartingHashKey':'1000'}",
        "StreamName", Kind.STRING, "ShardToSplit", Kind.STRING, "NewStartingHashKey", Kind.STRING);
    spec(specs, "MergeShards",
        "{'StreamName':'KEEP','ShardToMerge':'shardId-000000000000','AdjacentShardToMerge':'shardId-000000000001'}",
        "StreamName", Kind.STRING, "ShardToMerge", Kind.STRING, "AdjacentShardToMerge", Kind.STRING);
    spec(specs, "UpdateShardCount", "{'StreamName':'KEEP','TargetShardCount':4,'ScalingType':'UNIFORM_SCALING'}",
        "StreamName", Kind.STRING, "TargetShardCount", Kind.INT, "ScalingType", Kind.STRING);
    spec(specs, "PutRecord", "{'StreamName':'KEEP','Data':'ZnV6eg==','PartitionKey':'k'}",
        "StreamName", Kind.STRING, "Data", Kind.BLOB, "PartitionKey", Kind.STRING);
    spec(specs, "PutRecords",
        "{'StreamName':'KEEP','Records':[{'Data':'YQ==','PartitionKey':'a'},{'Data':'Yg==','PartitionKey':'b'}]}",
        "StreamName", Kind.STRING, "Records", Kind.OBJECTS, "Records/1/Data", Kind.BLOB,
        "Records/1/PartitionKey", Kind.STRING, "Records/1", Kind.OBJECT);
    spec(specs, "GetShardIterator",
        "{'StreamName':'KEEP','ShardId':'shardId-000000000000','ShardIteratorType':'AT_TIMESTAMP','Timestamp':1700000000}",
        "StreamName", Kind.STRING, "ShardId", Kind.STRING, "ShardIteratorType", Kind.STRING,
        "Timestamp", Kind.TIMESTAMP);
    spec(specs, "GetRecords", "{'ShardIterator':'IT','Limit':10}", "ShardIterator", Kind.STRING, "Limit", Kind.INT);
    spec(specs, "StartStreamEncryption", "{'StreamName':'KEEP','EncryptionType':'KMS','KeyId':'alias/aws/kinesis'}",
        "StreamName", Kind.STRING, "EncryptionType", Kind.STRING, "KeyId", Kind.STRING);
    spec(specs, "StopStreamEncryption", "{'StreamName':'KEEP','EncryptionType':'KMS','KeyId':'alias/aws/kinesis'}",
        "StreamName", Kind.STRING, "EncryptionType", Kind.STRING, "KeyId", Kind.STRING);
    spec(specs, "RegisterStreamConsumer", "{'StreamARN':'ARN','ConsumerName':'fuzz'}",
        "StreamARN", Kind.STRING, "ConsumerName", Kind.STRING);
    spec(specs, "DeregisterStreamConsumer", "{'StreamARN':'ARN','ConsumerName':'fuzz'}",
        "StreamARN", Kind.STRING, "ConsumerName", Kind.STRING);
    spec(specs, "DescribeStreamConsumer", "{'StreamARN':'ARN','ConsumerName':'fuzz'}",
        "StreamARN", Kind.STRING, "ConsumerName", Kind.STRING);
    spec(specs, "ListStreamConsumers", "{'StreamARN':'ARN','MaxResults':10}", "StreamARN", Kind.STRING,
        "MaxResults", Kind.INT);
    spec(specs, "SubscribeToShard",
        "{'ConsumerARN':'ARN/consumer/fuzz:1','ShardId':'shardId-000000000000','StartingPosition':{'Type':'LATEST'}}",
        "ConsumerARN", Kind.STRING, "ShardId", Kind.STRING, "StartingPosition", Kind.OBJECT);
    for (Spec spec : specs) {
      substitute(spec.base(), arn, iterator);
    }
    return specs;
  }

  private static void spec(List<Spec> specs, String operation, String body, Object... members) throws IOException {
    Map<String, Kind> kinds = new LinkedHashMap<>();
    for (int i = 0; i < members.length; i += 2) {
      kinds.put((String) members[i], (Kind) members[i + 1]);
    }
    specs.add(new Spec(operation, body(body), kinds, true));
  }

  private static ObjectNode body(String singleQuoted) throws IOException {
    return (ObjectNode) JSON.readTree(singleQuoted.replace('\'', '"'));
  }

  private static void substitute(JsonNode node, String arn, String iterator) {
    if (node instanceof ObjectNode object) {
      object.fields().forEachRemaining(field -> {
        if (field.getValue().isTextual()) {
          field.setValue(NODES.textNode(field.getValue().asText().replace("KEEP", KEEP)
              .replace("ARN", arn).replace("IT", iterator.equals("IT") ? "IT" : field.getKey().equals("ShardIterator")
                  ? iterator : "IT")));
        } else {
          substitute(field.getValue(), arn, iterator);
        }
      });
    } else if (node instanceof ArrayNode array) {
      array.forEach(element -> substitute(element, arn, iterator));
    }
  }

  // ---- the malformations ----

  private static Case generate(Random random, Spec spec) {
    boolean cbor = random.nextInt(3) == 0;
    String contentType = cbor ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1";
    String target = "Kinesis_20131202." + spec.operation();
    String what = spec.operation() + (cbor ? "/cbor" : "/json");
    int roll = random.nextInt(100);
    if (roll < 32 && !spec.members().isEmpty()) {
      List<String> paths = new ArrayList<>(spec.members().keySet());
      String path = paths.get(random.nextInt(paths.size()));
      JsonNode wrong = wrongValue(random, spec.members().get(path), cbor);
      ObjectNode body = spec.base().deepCopy();
      set(body, path, wrong);
      return request(what + " " + path + "=" + abbreviate(wrong), target, contentType, encode(body, cbor));
    }
    byte[] valid = encode(spec.base(), cbor);
    if (roll < 42) {
      int cut = 1 + random.nextInt(valid.length - 1);
      return request(what + " truncated at " + cut, target, contentType, java.util.Arrays.copyOf(valid, cut));
    }
    if (roll < 52) {
      return cbor ? brokenCbor(random, what, target, valid) : brokenJson(random, what, target, new String(valid, StandardCharsets.UTF_8));
    }
    if (roll < 60) {
      return invalidUtf8(random, spec, what, target, contentType, cbor);
    }
    if (roll < 67) {
      JsonNode[] tops = {NODES.arrayNode().add(spec.base()), NODES.arrayNode(), NODES.textNode("x"),
          NODES.numberNode(42), NODES.booleanNode(true), NODES.nullNode(), NODES.numberNode(new BigDecimal("1e400"))};
      JsonNode top = tops[random.nextInt(tops.length)];
      return request(what + " top-level " + abbreviate(top), target, contentType, encode(top, cbor));
    }
    if (roll < 74 || (roll < 77 && !spec.hasRequired())) {
      byte[] noise = new byte[1 + random.nextInt(300)];
      random.nextBytes(noise);
      noise[0] = cbor ? (byte) (random.nextBoolean() ? random.nextInt(0xa0) : 0xe0 + random.nextInt(0x20))
          : (byte) JSON_STARTS.charAt(random.nextInt(JSON_STARTS.length()));
      return request(what + " random bytes", target, contentType, noise);
    }
    if (roll < 77) {
      return request(what + " empty body", target, contentType, new byte[0]);
    }
    if (roll < 80) {
      return request(what + " no X-Amz-Target", null, contentType, valid);
    }
    if (roll < 84) {
      String[] targets = {"Kinesis_20131202.Nope", "Kinesis_20131202.", "", "Kinesis_20131202."
          + spec.operation().toLowerCase(java.util.Locale.ROOT), "DynamoDB_20120810.ListTables",
          "Kinesis_20131202." + spec.operation() + ".Extra", "Kinesis_20131201." + spec.operation(),
          "Kinesis_20131202.__proto__", "Kinesis_20131202.toString", "x".repeat(5000)};
      String wrong = targets[random.nextInt(targets.length)];
      return request(what + " X-Amz-Target " + abbreviate(NODES.textNode(wrong)), wrong, contentType, valid);
    }
    if (roll < 88) {
      String[] types = {"text/plain", "application/xml", "application/x-www-form-urlencoded",
          "application/x-amz-json-1.1x", "application/cbor", "application/x-amz-cbor-1.0", "*/*", "garbage"};
      String type = types[random.nextInt(types.length)];
      return request(what + " Content-Type " + type, target, type, valid);
    }
    if (roll < 91) {
      String mismatched = cbor ? "application/x-amz-json-1.1" : "application/x-amz-cbor-1.1";
      return request(what + " body in the other format", target, mismatched, valid);
    }
    if (roll < 93) {
      String method = new String[] {"GET", "PUT", "DELETE", "PATCH"}[random.nextInt(4)];
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Host", "localhost");
      headers.put("X-Amz-Target", target);
      headers.put("Content-Length", "0");
      return new Case(what + " method " + method, RawHttpConnection.head(method, headers), false);
    }
    if (roll < 96) {
      return badHttp(random, what, target);
    }
    if (roll < 98) {
      return oversized(random, what, target, contentType);
    }
    if (roll < 99) {
      int depth = 1_500 + random.nextInt(3_000);
      String deep = "{\"StreamName\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
      return request(what + " nested " + depth + " deep", target, "application/x-amz-json-1.1",
          deep.getBytes(StandardCharsets.UTF_8));
    }
    return request(what + " no Content-Type, truncated", target, null, java.util.Arrays.copyOf(valid, valid.length - 1));
  }

  private static Case request(String description, String target, String contentType, byte[] body) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", contentType);
    headers.put("X-Amz-Target", target);
    return new Case(description, RawHttpConnection.post(headers, body), false);
  }

  private static JsonNode wrongValue(Random random, Kind kind, boolean cbor) {
    List<JsonNode> pool = new ArrayList<>(List.of(NODES.numberNode(42), NODES.numberNode(1.5), NODES.booleanNode(true),
        NODES.textNode("str"), NODES.objectNode(), NODES.objectNode().put("a", 1), NODES.arrayNode(),
        NODES.arrayNode().add("x"), NODES.arrayNode().add(1), NODES.arrayNode().add(NODES.objectNode()),
        NODES.numberNode(new BigDecimal("1e400")), NODES.numberNode(new BigDecimal("-1e400")),
        NODES.numberNode(BigInteger.TWO.pow(200)), NODES.numberNode(BigInteger.TWO.pow(200).negate()),
        NODES.numberNode(new BigInteger("9".repeat(1_000 + random.nextInt(5_000)))),
        NODES.numberNode(2147483648L), NODES.numberNode(Long.MIN_VALUE), NODES.numberNode(Double.NaN),
        NODES.numberNode(Double.POSITIVE_INFINITY), NODES.textNode("!!!!"), NODES.binaryNode(new byte[] {1, 2})));
    if (!cbor) {
      // JSON has no NaN, infinities or byte strings: Jackson writes them as text, which is no malformation.
      pool.removeIf(value -> value.isBinary() || (value.isDouble() && !Double.isFinite(value.doubleValue())));
    }
    pool.removeIf(value -> accepted(kind, value));
    return pool.get(random.nextInt(pool.size()));
  }

  /** Values a member of this kind legitimately takes, which therefore do not make a request malformed. */
  private static boolean accepted(Kind kind, JsonNode value) {
    switch (kind) {
      case STRING: return value.isTextual();
      case INT: return value.isIntegralNumber() && value.canConvertToInt();
      case BOOL: return value.isBoolean();
      case BLOB: return value.isBinary() || (value.isTextual() && !value.asText().equals("!!!!"));
      case STRINGS: return value.isArray() && (value.isEmpty() || value.get(0).isTextual());
      case OBJECTS: return value.isArray() && (value.isEmpty() || value.get(0).isObject());
      case MAP: return value.isObject() && (value.isEmpty() || value.elements().next().isTextual());
      case OBJECT: return value.isObject();
      case TIMESTAMP: return value.isNumber() && !value.isBigInteger() && !value.isBigDecimal()
          && Double.isFinite(value.doubleValue()) || value.isBinary();
      default: throw new AssertionError(kind);
    }
  }

  private static void set(ObjectNode body, String path, JsonNode value) {
    String[] steps = path.split("/");
    JsonNode parent = body;
    for (int i = 0; i < steps.length - 1; i++) {
      parent = parent.isArray() ? parent.get(Integer.parseInt(steps[i])) : parent.get(steps[i]);
    }
    String last = steps[steps.length - 1];
    if (parent instanceof ArrayNode array) {
      array.set(Integer.parseInt(last), value);
    } else {
      ((ObjectNode) parent).set(last, value);
    }
  }

  private static Case brokenJson(Random random, String what, String target, String valid) {
    String broken;
    switch (random.nextInt(9)) {
      case 0: broken = valid + new String[] {"}", "]", "x", "{}", " 1", ",", "\"", "null"}[random.nextInt(8)]; break;
      case 1: broken = valid.contains(":") ? valid.replaceFirst(":", "=") : "{=}"; break;
      case 2: broken = "{," + valid.substring(1); break;
      case 3: broken = valid.substring(0, valid.length() - 1) + ",}"; break;
      case 4: broken = "{\"Limit\":NaN," + valid.substring(1); break;
      case 5: broken = "/* comment */" + valid; break;
      case 6: broken = valid.equals("{}") ? "{'a':1}" : valid.replace('"', '\''); break;
      case 7: broken = valid.indexOf(":\"") > 0 ? valid.replaceFirst(":\"", ":\"\u0001") : valid + "}"; break;
      default: broken = valid.contains("\"") ? valid.replaceFirst("\"", "") : "{\"}"; break;
    }
    return request(what + " broken: " + abbreviate(NODES.textNode(broken)), target, "application/x-amz-json-1.1",
        broken.getBytes(StandardCharsets.UTF_8));
  }

  private static Case brokenCbor(Random random, String what, String target, byte[] valid) {
    byte[] broken;
    switch (random.nextInt(4)) {
      case 0:
        broken = java.util.Arrays.copyOf(valid, valid.length + 1);
        broken[valid.length] = (byte) random.nextInt(256);
        break;
      case 1:
        broken = valid.clone();
        broken[0] = (byte) (broken[0] + 1 + random.nextInt(5));
        break;
      case 2:
        broken = new byte[] {(byte) 0xbf, 0x61, 'a', 0x01};
        break;
      default:
        broken = new byte[] {(byte) 0xa1, (byte) 0x7b, 0x00, 0x00, 0x00, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        break;
    }
    return request(what + " broken cbor " + HexFormat.of().formatHex(broken, 0, Math.min(16, broken.length)),
        target, "application/x-amz-cbor-1.1", broken);
  }

  private static Case invalidUtf8(Random random, Spec spec, String what, String target, String contentType, boolean cbor) {
    byte[][] sequences = {{(byte) 0xff}, {(byte) 0xfe}, {(byte) 0xc3, 0x28}, {(byte) 0x80}, {(byte) 0xe2, (byte) 0x82, 0x28},
        {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xc0, (byte) 0xaf}};
    // The overlong C0 AF (the last one) is checked in JSON only: Jackson's CBOR decoder lets it through.
    byte[] bad = sequences[random.nextInt(cbor ? sequences.length - 1 : sequences.length)];
    String marker = "#@" + "Z".repeat(bad.length);
    ObjectNode body = spec.base().deepCopy();
    String member = spec.members().entrySet().stream().filter(e -> e.getValue() == Kind.STRING && !e.getKey().contains("/"))
        .map(Map.Entry::getKey).findFirst().orElse(null);
    if (member != null) {
      body.put(member, "ab" + marker);
    } else {
      body.put(marker, 1);
    }
    byte[] encoded = encode(body, cbor);
    byte[] markerBytes = marker.getBytes(StandardCharsets.UTF_8);
    int at = indexOf(encoded, markerBytes);
    System.arraycopy(bad, 0, encoded, at + 2, bad.length);
    return request(what + " invalid UTF-8 " + HexFormat.of().formatHex(bad) + " in " + (member == null ? "a key" : member),
        target, contentType, encoded);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("marker not found");
  }

  private static Case badHttp(Random random, String what, String target) {
    String[] heads = {
        "FOO\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: localhost\r\nThis is not a header\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\nX-Amz-Target: " + target + "\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: -5\r\nX-Amz-Target: " + target + "\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        "POST / HTTP/1.1\r\nHost: localhost\r\nBad Name: x\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nX-Amz-Target: " + target
            + "\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        "POST /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Long: " + "b".repeat(20_000) + "\r\n\r\n",
    };
    int pick = random.nextInt(heads.length);
    return new Case(what + " bad HTTP #" + pick, heads[pick].getBytes(StandardCharsets.ISO_8859_1), true);
  }

  /** Only the head is sent: the 413 must come back before any of the body does. */
  private static Case oversized(Random random, String what, String target, String contentType) {
    long[] lengths = {LIMIT + 1L, 10L * LIMIT, Integer.MAX_VALUE, Long.MAX_VALUE};
    long length = lengths[random.nextInt(lengths.length)];
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Host", "localhost");
    headers.put("Content-Type", contentType);
    headers.put("X-Amz-Target", target);
    headers.put("Content-Length", Long.toString(length));
    boolean expect = random.nextBoolean();
    if (expect) {
      headers.put("Expect", "100-continue");
    }
    return new Case(what + " Content-Length " + length + (expect ? " with Expect: 100-continue" : ""),
        RawHttpConnection.head("POST", headers), true);
  }

  private static byte[] encode(JsonNode node, boolean cbor) {
    try {
      return (cbor ? CBOR : JSON).writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String abbreviate(JsonNode node) {
    String text = node.toString();
    return text.length() > 40 ? text.substring(0, 40) + "…" : text;
  }
}
