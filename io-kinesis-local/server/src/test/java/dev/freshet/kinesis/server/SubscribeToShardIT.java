package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ChildShard;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StartingPosition;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEventStream;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponse;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;

/**
 * SubscribeToShard on the wire: the AWS SDK's async client over cleartext HTTP/2 (as the KCL uses
 * it), and a plain HTTP/1.1 client reading the chunked event stream with {@link EventStreamDecoder}.
 */
class SubscribeToShardIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private LocalStreamStore store;
  private KinesisServer server;
  private KinesisAsyncClient kinesis;

  private void start(Duration subscriptionLifetime, boolean cbor) {
    System.setProperty("aws.cborEnabled", Boolean.toString(cbor));
    store = LocalStreamStore.open(StoreConfig.builder(dir).setSubscriptionLifetime(subscriptionLifetime).build());
    server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store);
    kinesis = KinesisAsyncClient.builder()
        .endpointOverride(server.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")))
        .httpClient(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP2).build())
        .build();
  }

  private void start() {
    start(Duration.ofMinutes(5), true);
  }

  @AfterEach
  void stop() {
    if (kinesis != null) {
      kinesis.close();
    }
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
    System.clearProperty("aws.cborEnabled");
  }

  /** Creates a stream with one shard and a consumer; returns the consumer's ARN. */
  private String streamWithConsumer(String stream) {
    kinesis.createStream(b -> b.streamName(stream).shardCount(1)).join();
    String streamArn = kinesis.describeStreamSummary(b -> b.streamName(stream)).join()
        .streamDescriptionSummary().streamARN();
    return kinesis.registerStreamConsumer(b -> b.streamARN(streamArn).consumerName("reader")).join()
        .consumer().consumerARN();
  }

  private static final String SHARD = "shardId-000000000000";

  private String put(String stream, String data) {
    return kinesis.putRecord(b -> b.streamName(stream).partitionKey("k").data(SdkBytes.fromUtf8String(data)))
        .join().sequenceNumber();
  }

  /** One SDK subscription: its events as they arrive, and how it ended. */
  private final class Subscription {
    final BlockingQueue<SubscribeToShardEvent> events = new LinkedBlockingQueue<>();
    final Map<String, Long> arrivalNanos = new ConcurrentHashMap<>();
    final CompletableFuture<SubscribeToShardResponse> initialResponse = new CompletableFuture<>();
    final CompletableFuture<Void> done;
    private final CompletableFuture<org.reactivestreams.Subscription> upstream = new CompletableFuture<>();

    Subscription(String consumerArn, StartingPosition position) {
      SubscribeToShardResponseHandler.Visitor visitor = SubscribeToShardResponseHandler.Visitor.builder()
          .onSubscribeToShardEvent(event -> {
            long now = System.nanoTime();
            event.records().forEach(r -> arrivalNanos.put(r.data().asUtf8String(), now));
            events.add(event);
          })
          .build();
      SubscribeToShardResponseHandler handler = SubscribeToShardResponseHandler.builder()
          .onResponse(initialResponse::complete)
          .onEventStream(publisher -> publisher.subscribe(new org.reactivestreams.Subscriber<SubscribeToShardEventStream>() {
            @Override
            public void onSubscribe(org.reactivestreams.Subscription subscription) {
              upstream.complete(subscription);
              subscription.request(1);
            }

            @Override
            public void onNext(SubscribeToShardEventStream event) {
              event.accept(visitor);
              upstream.join().request(1);
            }

            @Override
            public void onError(Throwable error) {
              // The subscribeToShard future reports it.
            }

            @Override
            public void onComplete() {
              // The subscribeToShard future reports it.
            }
          }))
          .build();
      done = kinesis.subscribeToShard(b -> b.consumerARN(consumerArn).shardId(SHARD).startingPosition(position), handler);
      initialResponse.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** Stops reading, as a consumer that shuts down does: the SDK resets the HTTP/2 stream. */
    void cancel() {
      upstream.join().cancel();
    }

    SubscribeToShardEvent next() throws InterruptedException {
      SubscribeToShardEvent event = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      if (event == null) {
        fail("no event within " + WAIT + "; the subscription " + (done.isDone() ? "ended" : "is open"));
      }
      return event;
    }

    /** Reads events until {@code count} records have come; returns them and the last event's continuation. */
    List<Record> records(int count, String[] continuation) throws InterruptedException {
      List<Record> records = new ArrayList<>();
      while (records.size() < count) {
        SubscribeToShardEvent event = next();
        records.addAll(event.records());
        continuation[0] = event.continuationSequenceNumber();
      }
      return records;
    }

    Throwable failure() {
      try {
        done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        return e.getCause();
      } catch (Exception e) {
        throw new AssertionError("the subscription did not end", e);
      }
      throw new AssertionError("the subscription ended without an error");
    }
  }

  private static List<String> data(List<Record> records) {
    List<String> data = new ArrayList<>();
    records.forEach(r -> data.add(r.data().asUtf8String()));
    return data;
  }

  private static List<String> range(int from, int to) {
    List<String> data = new ArrayList<>();
    for (int i = from; i < to; i++) {
      data.add(Integer.toString(i));
    }
    return data;
  }

  @ParameterizedTest(name = "cbor={0}")
  @ValueSource(booleans = {true, false})
  void pushesRecordsAsTheyAreWrittenOverHttp2(boolean cbor) throws Exception {
    start(Duration.ofMinutes(5), cbor);
    String consumer = streamWithConsumer("pushed");
    Subscription subscription = new Subscription(consumer, StartingPosition.builder().type(ShardIteratorType.LATEST).build());

    int puts = 200;
    long[] latencyNanos = new long[puts];
    long[] ackNanos = new long[puts];
    List<Record> received = new ArrayList<>();
    for (int i = 0; i < puts; i++) {
      String data = Integer.toString(i);
      long before = System.nanoTime();
      put("pushed", data);
      ackNanos[i] = System.nanoTime() - before;
      while (!subscription.arrivalNanos.containsKey(data)) {
        received.addAll(subscription.next().records());
      }
      latencyNanos[i] = subscription.arrivalNanos.get(data) - before;
    }
    while (received.size() < puts) {
      received.addAll(subscription.next().records());
    }

    assertThat(data(received)).isEqualTo(range(0, puts));
    assertThat(received.get(0).partitionKey()).isEqualTo("k");
    assertThat(received.get(0).approximateArrivalTimestamp()).isNotNull();
    // Printed, not asserted: the put's own round trip is the baseline the push latency compares to.
    java.util.Arrays.sort(latencyNanos);
    java.util.Arrays.sort(ackNanos);
    System.out.printf("subscribe.latency.cbor=%s over HTTP/2, %d puts: put-to-event p50=%.2f ms p99=%.2f ms;"
        + " put-to-ack (baseline) p50=%.2f ms p99=%.2f ms%n", cbor, puts,
        latencyNanos[puts / 2] / 1e6, latencyNanos[puts * 99 / 100] / 1e6,
        ackNanos[puts / 2] / 1e6, ackNanos[puts * 99 / 100] / 1e6);

    String metrics = metrics();
    assertThat(counter(metrics, "freshet_subscriptions_started_total{protocol=\"HTTP/2\"}")).isEqualTo(1);
    assertThat(counter(metrics, "freshet_subscriptions_started_total{protocol=\"HTTP/1.1\"}")).isZero();
    assertThat(counter(metrics, "freshet_subscriptions")).isEqualTo(1);

    subscription.cancel();
    awaitNoActiveSubscriptions();
  }

  @Test
  void resumesAfterTheContinuationSequenceNumberWithNothingLostOrRepeated() throws Exception {
    start();
    String consumer = streamWithConsumer("resumed");
    Subscription first = new Subscription(consumer, StartingPosition.builder().type(ShardIteratorType.TRIM_HORIZON).build());
    for (int i = 0; i < 50; i++) {
      put("resumed", Integer.toString(i));
    }
    String[] continuation = new String[1];
    List<Record> before = first.records(50, continuation);
    for (int i = 50; i < 100; i++) {
      put("resumed", Integer.toString(i));
    }

    Subscription second = new Subscription(consumer, StartingPosition.builder()
        .type(ShardIteratorType.AFTER_SEQUENCE_NUMBER).sequenceNumber(continuation[0]).build());
    List<Record> after = second.records(50, continuation);

    List<Record> all = new ArrayList<>(before);
    all.addAll(after);
    assertThat(data(all)).isEqualTo(range(0, 100));
  }

  @Test
  void childShardsArriveInTheLastEventOfASplitShard() throws Exception {
    start();
    String consumer = streamWithConsumer("split");
    Subscription subscription = new Subscription(consumer, StartingPosition.builder().type(ShardIteratorType.TRIM_HORIZON).build());
    for (int i = 0; i < 10; i++) {
      put("split", Integer.toString(i));
    }
    kinesis.splitShard(b -> b.streamName("split").shardToSplit(SHARD)
        .newStartingHashKey(BigInteger.ONE.shiftLeft(127).toString())).join();

    List<Record> records = new ArrayList<>();
    SubscribeToShardEvent event;
    do {
      event = subscription.next();
      records.addAll(event.records());
    } while (!event.hasChildShards() || event.childShards().isEmpty());

    assertThat(data(records)).isEqualTo(range(0, 10));
    assertThat(event.childShards()).hasSize(2);
    for (ChildShard child : event.childShards()) {
      assertThat(child.parentShards()).containsExactly(SHARD);
    }
    subscription.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(subscription.events).as("nothing after the event naming the children").isEmpty();
  }

  @Test
  void aSecondSubscriptionOfTheSameConsumerAndShardEndsTheFirst() throws Exception {
    start();
    String consumer = streamWithConsumer("replaced");
    StartingPosition latest = StartingPosition.builder().type(ShardIteratorType.LATEST).build();
    Subscription first = new Subscription(consumer, latest);
    Subscription second = new Subscription(consumer, latest);

    assertThat(first.failure()).isInstanceOf(ResourceInUseException.class).hasMessageContaining("replaced");
    put("replaced", "after");
    assertThat(data(second.records(1, new String[1]))).containsExactly("after");
  }

  @Test
  void deregisteringTheConsumerEndsItsSubscriptionWithResourceNotFound() throws Exception {
    start();
    String consumer = streamWithConsumer("deregistered");
    Subscription subscription = new Subscription(consumer, StartingPosition.builder().type(ShardIteratorType.LATEST).build());

    kinesis.deregisterStreamConsumer(b -> b.consumerARN(consumer)).join();

    assertThat(subscription.failure()).isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("deregistered");
    awaitNoActiveSubscriptions();
  }

  @Test
  void theLifetimeEndsTheStreamCleanlyAndTheConsumerResumes() throws Exception {
    start(Duration.ofSeconds(3), true);
    String consumer = streamWithConsumer("expiring");
    Subscription first = new Subscription(consumer, StartingPosition.builder().type(ShardIteratorType.TRIM_HORIZON).build());
    for (int i = 0; i < 5; i++) {
      put("expiring", Integer.toString(i));
    }
    String[] continuation = new String[1];
    List<Record> records = new ArrayList<>(first.records(5, continuation));

    first.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    for (SubscribeToShardEvent late : first.events) {
      // Heartbeats may come before the end; they carry no records and the same continuation.
      assertThat(late.records()).isEmpty();
      continuation[0] = late.continuationSequenceNumber();
    }
    for (int i = 5; i < 10; i++) {
      put("expiring", Integer.toString(i));
    }
    Subscription second = new Subscription(consumer, StartingPosition.builder()
        .type(ShardIteratorType.AFTER_SEQUENCE_NUMBER).sequenceNumber(continuation[0]).build());
    records.addAll(second.records(5, continuation));
    assertThat(data(records)).isEqualTo(range(0, 10));
  }

  @Test
  void aRequestTheStoreRefusesIsAnOrdinaryError() {
    start();
    String consumer = streamWithConsumer("refused");
    CompletableFuture<Void> unknownShard = kinesis.subscribeToShard(b -> b.consumerARN(consumer).shardId("shardId-000000000009")
            .startingPosition(p -> p.type(ShardIteratorType.LATEST)),
        SubscribeToShardResponseHandler.builder().subscriber(event -> { }).build());

    assertThat(unknownShard).failsWithin(WAIT).withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(ResourceNotFoundException.class);
    assertThat(counter(metrics(), "freshet_subscriptions")).isZero();
  }

  @Test
  void streamsOverHttp11InChunksThatDecodeWithValidCrcs() throws Exception {
    start();
    String consumer = streamWithConsumer("chunked");
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    HttpResponse<String> refused = http.send(subscribeRequest(consumer, "SOMEWHERE"), HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(new ObjectMapper().readTree(refused.body()).path("__type").asText()).isEqualTo("ValidationException");

    HttpResponse<InputStream> response = http.send(subscribeRequest(consumer, "LATEST"), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/vnd.amazon.eventstream");
    assertThat(response.headers().firstValue("transfer-encoding")).hasValue("chunked");
    BlockingQueue<EventStreamDecoder.Frame> frames = new LinkedBlockingQueue<>();
    CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> readFrames(response.body(), frames));
    try {
      EventStreamDecoder.Frame initial = poll(frames);
      assertThat(initial.headers()).containsEntry(":message-type", "event")
          .containsEntry(":event-type", "initial-response")
          .containsEntry(":content-type", "application/x-amz-json-1.1");
      assertThat(initial.payloadText()).isEqualTo("{}");

      String sequenceNumber = put("chunked", "over http/1.1");
      JsonNode records;
      EventStreamDecoder.Frame frame;
      do {
        frame = poll(frames);
        assertThat(frame.headers()).containsEntry(":message-type", "event")
            .containsEntry(":event-type", "SubscribeToShardEvent");
        records = new ObjectMapper().readTree(frame.payload()).path("Records");
      } while (records.isEmpty());
      JsonNode record = records.get(0);
      assertThat(record.path("SequenceNumber").asText()).isEqualTo(sequenceNumber);
      assertThat(new String(Base64.getDecoder().decode(record.path("Data").asText()), StandardCharsets.UTF_8))
          .isEqualTo("over http/1.1");
      assertThat(record.path("PartitionKey").asText()).isEqualTo("k");
      assertThat(record.path("ApproximateArrivalTimestamp").isNumber()).isTrue();
      assertThat(new ObjectMapper().readTree(frame.payload()).path("ContinuationSequenceNumber").asText())
          .isEqualTo(sequenceNumber);

      // A newer subscription ends this one with an exception message, then the end of the body.
      new Subscription(consumer, StartingPosition.builder().type(ShardIteratorType.LATEST).build());
      do {
        frame = poll(frames);
      } while (!"exception".equals(frame.header(":message-type")));
      assertThat(frame.headers()).containsEntry(":exception-type", "ResourceInUseException");
      assertThat(new ObjectMapper().readTree(frame.payload()).path("message").asText()).contains("replaced");
      reader.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } finally {
      response.body().close();
    }
    assertThat(counter(metrics(), "freshet_subscriptions_started_total{protocol=\"HTTP/1.1\"}")).isEqualTo(1);
  }

  @Test
  void aClientThatStopsReadingStopsTheStoreInsteadOfGrowingTheServersBuffer() throws Exception {
    start();
    String consumer = streamWithConsumer("slow");
    byte[] request = ("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.1\r\n"
        + "X-Amz-Target: Kinesis_20131202.SubscribeToShard\r\nContent-Length: %d\r\n\r\n%s").formatted(
            subscribeBody(consumer, "TRIM_HORIZON").length(), subscribeBody(consumer, "TRIM_HORIZON"))
        .getBytes(StandardCharsets.UTF_8);
    int records = 128;
    byte[] payload = new byte[512 << 10];
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.setReceiveBufferSize(64 << 10);
      socket.connect(server.address());
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      for (int i = 0; i < records; i++) {
        payload[0] = (byte) i;
        store.putRecord("slow", dev.freshet.sdk.stream.PutRecordsEntry.of("k", payload), null);
      }
      long written = records * (long) payload.length;

      // Nothing is read from the socket yet: the store must stop once the socket buffers are full.
      long readByStore = awaitStable(() -> store.metrics("slow").shards().get(SHARD).outgoingBytes());
      System.out.printf("subscribe.backpressure: %d of %d bytes read from the store while the client read nothing%n",
          readByStore, written);
      assertThat(readByStore).isLessThan(written / 2);

      // Reading resumes the stream: every record arrives, once, in order.
      java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
      String status = readLine(in);
      assertThat(status).startsWith("HTTP/1.1 200");
      while (!readLine(in).isEmpty()) {
        // Response headers; the status line was enough.
      }
      EventStreamDecoder decoder = new EventStreamDecoder();
      List<Integer> firstBytes = new ArrayList<>();
      while (firstBytes.size() < records) {
        int size = Integer.parseInt(readLine(in).trim(), 16);
        byte[] chunk = new byte[size];
        in.readFully(chunk);
        readLine(in);
        for (EventStreamDecoder.Frame frame : decoder.feed(chunk)) {
          if ("SubscribeToShardEvent".equals(frame.header(":event-type"))) {
            for (JsonNode record : new ObjectMapper().readTree(frame.payload()).path("Records")) {
              firstBytes.add((int) Base64.getDecoder().decode(record.path("Data").asText())[0]);
            }
          }
        }
      }
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < records; i++) {
        expected.add(i);
      }
      assertThat(firstBytes).isEqualTo(expected);
    }
    awaitNoActiveSubscriptions();
  }

  private static String readLine(java.io.DataInputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new java.io.EOFException("the response ended inside a line");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  /** Polls {@code value} until it has not changed for a second; returns it. */
  private static long awaitStable(java.util.function.LongSupplier value) throws InterruptedException {
    long last = value.getAsLong();
    long stableSince = System.nanoTime();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() - stableSince < TimeUnit.SECONDS.toNanos(1) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      long now = value.getAsLong();
      if (now != last) {
        last = now;
        stableSince = System.nanoTime();
      }
    }
    return last;
  }

  private static String subscribeBody(String consumerArn, String type) {
    return "{\"ConsumerARN\":\"" + consumerArn + "\",\"ShardId\":\"" + SHARD
        + "\",\"StartingPosition\":{\"Type\":\"" + type + "\"}}";
  }

  private HttpRequest subscribeRequest(String consumerArn, String type) {
    String body = subscribeBody(consumerArn, type);
    return HttpRequest.newBuilder(server.endpoint())
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("X-Amz-Target", "Kinesis_20131202.SubscribeToShard")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static void readFrames(InputStream in, BlockingQueue<EventStreamDecoder.Frame> frames) {
    EventStreamDecoder decoder = new EventStreamDecoder();
    byte[] buffer = new byte[8192];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        frames.addAll(decoder.feed(java.util.Arrays.copyOf(buffer, n)));
      }
    } catch (IOException e) {
      throw new CompletionException(e);
    }
    if (decoder.pendingBytes() != 0) {
      throw new IllegalStateException("the body ended inside a message: " + decoder.pendingBytes() + " bytes left");
    }
  }

  private static EventStreamDecoder.Frame poll(BlockingQueue<EventStreamDecoder.Frame> frames) throws InterruptedException {
    EventStreamDecoder.Frame frame = frames.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    if (frame == null) {
      fail("no event stream message within " + WAIT);
    }
    return frame;
  }

  private String metrics() {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(server.endpoint() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      return response.body();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long counter(String metrics, String series) {
    Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\d+)$").matcher(metrics);
    return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
  }

  /** The server notices a client that went away when its stream is reset, which is asynchronous. */
  private void awaitNoActiveSubscriptions() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (counter(metrics(), "freshet_subscriptions") != 0) {
      if (System.nanoTime() > deadline) {
        fail("subscriptions still active " + WAIT + " after the client cancelled:\n" + metrics());
      }
      Thread.sleep(20);
    }
  }
}
