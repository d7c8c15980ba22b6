package dev.freshet.kinesis.server;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the server's request path until the JIT compiler has compiled it, before a server announces
 * that it is ready, so that the first clients are not the ones paying for it.
 *
 * <p>A fresh JVM serves its first tens of thousands of requests from the interpreter and from
 * profiled (tier 3) code while the compiler threads compile the hot path with C2; on a small
 * machine those threads take the cores the requests need. {@code bench/peers.sh} measured it: in
 * its first round the put→visible p50 and p99 were 5 and 18 times the later rounds' (0.86 against
 * 0.16 ms, 5.3 against 0.3 ms), and the server compiled about a hundred methods a second during
 * that round's samples, almost none in later rounds. Compiled code is also thrown away (deoptimized) the first
 * time a branch or type it never saw comes by: the first control-plane call answered from a
 * worker thread, the first connection closing, an SDK's headers.
 *
 * <p>{@link #run} starts a throw-away store (on a temporary folder, with the real store's
 * durability, so the same code paths run) and server on a loopback port and drives it over
 * several keep-alive HTTP/1.1 connections with what Kinesis clients send, with an AWS SDK's
 * headers, alternately JSON and CBOR: PutRecord then GetRecords on its shard, as a tailing reader
 * does; PutRecords batches of 500; GetShardIterator and full pages; CreateStream, DescribeStreamSummary,
 * ListShards and DeleteStream (answered from the worker threads); one connection replaced by a
 * new one every round. A server is served until the JIT is quiet (the first one at least {@link
 * #MIN_ITERATIONS} iterations; then until a round of iterations spent under 2 % of its time
 * compiling), then closed, and a new one is started, until a second or later one has been served
 * until quiet and closed (at most four), or {@code maxTime} is up. Each cycle's folder is deleted; nothing of it reaches the
 * real store.
 */
public final class ServerWarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(ServerWarmUp.class);

  /**
   * A method called once per request reaches C2 after about 5,000 calls (HotSpot's {@code
   * Tier4InvocationThreshold}); each iteration makes two or more requests through the same code.
   */
  static final int MIN_ITERATIONS = 6_000;
  private static final int ROUND = 500;
  private static final int RECORD_BYTES = 100;
  private static final int BATCH = 500;
  private static final String STREAM = "warm-up";
  /** Connections to the throw-away server, more than it has network threads (2 per core). */
  private static final int CONNECTIONS = 2 * Runtime.getRuntime().availableProcessors() + 1;
  /** Throw-away servers at most; see {@link #run(StoreConfig, Duration, Path)}. */
  private static final int MAX_CYCLES = 4;

  /** What a warm-up did: iterations, requests, wall time and the JIT compilation time meanwhile. */
  public record Result(int iterations, long requests, Duration elapsed, long compilationMillis, boolean quiet) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%d requests in %d ms (%d ms of JIT compilation%s)", requests,
          elapsed.toMillis(), compilationMillis, quiet ? "" : ", stopped by the time limit");
    }
  }

  private ServerWarmUp() {}

  /**
   * Warms the request path as described above, for at most {@code maxTime} (the JIT may not be
   * quiet by then on a busy machine; the server is correct either way, only slower at first).
   *
   * @param storeConfig the real store's configuration; only its durability is used
   */
  public static Result run(StoreConfig storeConfig, Duration maxTime) {
    return run(storeConfig, maxTime, Path.of(System.getProperty("java.io.tmpdir")));
  }

  /** {@link #run(StoreConfig, Duration)} with its temporary folders made in {@code parent}. */
  static Result run(StoreConfig storeConfig, Duration maxTime, Path parent) {
    checkNotNull(storeConfig, "storeConfig");
    checkNotNull(maxTime, "maxTime");
    checkNotNull(parent, "parent");
    checkArgument(!maxTime.isNegative() && !maxTime.isZero(), "maxTime must be positive, but was: %s", maxTime);
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    Clock clock = new Clock(jit != null && jit.isCompilationTimeMonitoringSupported() ? jit : null,
        System.nanoTime() + maxTime.toNanos());
    long start = System.nanoTime();
    long compilationAtStart = clock.compilationMillis();
    int iterations = 0;
    long requests = 0;
    boolean quiet = false;
    // Closing a server runs branches of the hot methods that serving never takes (a channel
    // closing, a write from outside the event loop); their first run deoptimizes that compiled
    // code. So the warm-up serves and closes throw-away servers until one whose serving was quiet
    // has been closed, and the code compiled by then has seen both.
    for (int cycle = 1; cycle <= MAX_CYCLES && !clock.expired(); cycle++) {
      Cycle done = cycle(storeConfig, parent, clock, cycle == 1 ? MIN_ITERATIONS : ROUND * 2);
      iterations += done.iterations;
      requests += done.requests;
      if (done.quiet && cycle >= 2) {
        quiet = true;
        break;
      }
    }
    Result result = new Result(iterations, requests, Duration.ofNanos(System.nanoTime() - start),
        clock.compilationMillis() - compilationAtStart, quiet);
    LOG.info("Server warm-up: {}", result);
    return result;
  }

  /** One throw-away store and server, served until quiet (or the time is up), then closed. */
  private static Cycle cycle(StoreConfig storeConfig, Path parent, Clock clock, int minIterations) {
    Path dir;
    try {
      dir = Files.createTempDirectory(parent, "freshet-warm-up");
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a folder for the server's warm-up", e);
    }
    try {
      try (LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(dir)
              .setDurability(storeConfig.durability()).build());
          KinesisServer server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store)) {
        return drive(server.address(), clock, minIterations);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("the server's warm-up failed", e);
    } finally {
      try {
        MoreFiles.deleteRecursively(dir, RecursiveDeleteOption.ALLOW_INSECURE);
      } catch (IOException e) {
        LOG.warn("Could not delete the warm-up folder {}", dir, e);
      }
    }
  }

  private static Cycle drive(InetSocketAddress address, Clock clock, int minIterations) throws IOException {
    WireFormat[] formats = {WireFormat.JSON, WireFormat.CBOR};
    Connection[] connections = new Connection[CONNECTIONS];
    Cycle cycle = new Cycle();
    try {
      for (int c = 0; c < CONNECTIONS; c++) {
        connections[c] = new Connection(address);
      }
      // Control-plane calls run on the worker threads, which then write to the event loop's channel.
      ObjectNode create = WireFormat.JSON.newObject();
      create.put("StreamName", STREAM);
      create.put("ShardCount", 4);
      connections[0].call(WireFormat.JSON, "CreateStream", create);
      String[] iterators = new String[formats.length];
      String[] shards = new String[formats.length];
      for (int f = 0; f < formats.length; f++) {
        JsonNode answer = connections[f].call(formats[f], "PutRecord", putRecord(formats[f], "key-" + f));
        shards[f] = answer.get("ShardId").asText();
        iterators[f] = iterator(connections[f], formats[f], shards[f]);
      }
      while (!clock.expired()) {
        long roundStart = System.nanoTime();
        long compilationBefore = clock.compilationMillis();
        for (int i = 0; i < ROUND; i++, cycle.iterations++) {
          int f = cycle.iterations & 1;
          WireFormat format = formats[f];
          Connection connection = connections[(cycle.iterations >> 1) % CONNECTIONS];
          // A tailing reader: put one record, then read its shard from where it left off.
          connection.call(format, "PutRecord", putRecord(format, "key-" + f));
          JsonNode page = connection.call(format, "GetRecords", getRecords(format, iterators[f], 10_000));
          JsonNode next = page.get("NextShardIterator");
          iterators[f] = next == null || next.isNull() ? iterator(connection, format, shards[f]) : next.asText();
          if (cycle.iterations % 100 == 0) {
            // A producer's batch, and a reader starting over with a full page.
            connection.send(format, "PutRecords", putRecords(format));
            connection.send(format, "GetRecords", getRecords(format, iterator(connection, format, shards[f]), 1_000));
          }
          if (cycle.iterations % 200 == 0) {
            ObjectNode describe = format.newObject();
            describe.put("StreamName", STREAM);
            connection.call(format, "DescribeStreamSummary", describe);
            connection.call(format, "ListShards", describe);
          }
        }
        // Clients come and go: one connection is replaced each round.
        int replaced = (cycle.iterations / ROUND) % CONNECTIONS;
        cycle.requests += connections[replaced].requests;
        connections[replaced].close();
        connections[replaced] = new Connection(address);
        if (cycle.iterations >= minIterations) {
          long roundMillis = (System.nanoTime() - roundStart) / 1_000_000;
          long compiled = clock.compilationMillis() - compilationBefore;
          if (clock.jit == null ? cycle.iterations >= minIterations * 2
              : compiled * 50 <= roundMillis && clock.compileQueuesEmpty()) {
            cycle.quiet = true;
            break;
          }
        }
      }
      ObjectNode delete = WireFormat.JSON.newObject();
      delete.put("StreamName", STREAM);
      connections[0].call(WireFormat.JSON, "DeleteStream", delete);
      return cycle;
    } finally {
      for (Connection connection : connections) {
        if (connection != null) {
          cycle.requests += connection.requests;
          connection.close();
        }
      }
    }
  }

  /** The time limit, and the JIT's compilation time when the JVM reports it (else null). */
  private static final class Clock {
    final @org.jspecify.annotations.Nullable CompilationMXBean jit;
    final long deadline;

    Clock(@org.jspecify.annotations.Nullable CompilationMXBean jit, long deadline) {
      this.jit = jit;
      this.deadline = deadline;
    }

    boolean expired() {
      return System.nanoTime() - deadline >= 0;
    }

    long compilationMillis() {
      return jit == null ? 0 : jit.getTotalCompilationTime();
    }

    /**
     * Whether no method waits to be compiled ({@code jcmd <pid> Compiler.queue}, through the
     * HotSpot diagnostic command MBean): on a busy machine the compiler threads fall behind, and a
     * round can look quiet while the hot methods still wait in the C2 queue. True where the JVM
     * does not offer the command.
     */
    boolean compileQueuesEmpty() {
      String queue;
      try {
        queue = (String) ManagementFactory.getPlatformMBeanServer().invoke(
            new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerQueue",
            new Object[] {new String[0]}, new String[] {String[].class.getName()});
      } catch (javax.management.JMException | RuntimeException e) {
        return true;
      }
      // One "... compile queue:" header per compiler, followed by "Empty" or by the queued tasks.
      int queues = 0;
      int empty = 0;
      String[] lines = queue.split("\\R");
      for (int i = 0; i < lines.length; i++) {
        if (lines[i].contains("compile queue:")) {
          queues++;
          if (i + 1 < lines.length && lines[i + 1].trim().equals("Empty")) {
            empty++;
          }
        }
      }
      return queues == empty;
    }
  }

  /** What one cycle did. */
  private static final class Cycle {
    int iterations;
    long requests;
    boolean quiet;
  }

  private static String iterator(Connection connection, WireFormat format, String shard) throws IOException {
    ObjectNode request = format.newObject();
    request.put("StreamName", STREAM);
    request.put("ShardId", shard);
    request.put("ShardIteratorType", "TRIM_HORIZON");
    return connection.call(format, "GetShardIterator", request).get("ShardIterator").asText();
  }

  private static ObjectNode getRecords(WireFormat format, String iterator, int limit) {
    ObjectNode request = format.newObject();
    request.put("ShardIterator", iterator);
    request.put("Limit", limit);
    return request;
  }

  private static ObjectNode putRecord(WireFormat format, String key) {
    ObjectNode request = format.newObject();
    request.put("StreamName", STREAM);
    request.put("PartitionKey", key);
    format.putBlob(request, "Data", randomBytes());
    return request;
  }

  private static ObjectNode putRecords(WireFormat format) {
    ObjectNode request = format.newObject();
    request.put("StreamName", STREAM);
    ArrayNode records = request.putArray("Records");
    for (int i = 0; i < BATCH; i++) {
      ObjectNode record = records.addObject();
      record.put("PartitionKey", Long.toHexString(ThreadLocalRandom.current().nextLong()));
      format.putBlob(record, "Data", randomBytes());
    }
    return request;
  }

  private static byte[] randomBytes() {
    byte[] data = new byte[RECORD_BYTES];
    ThreadLocalRandom.current().nextBytes(data);
    return data;
  }

  /** One keep-alive HTTP/1.1 connection that sends Kinesis API calls and reads their answers. */
  private static final class Connection implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final String host;
    long requests;

    Connection(InetSocketAddress address) throws IOException {
      socket = new Socket(address.getAddress(), address.getPort());
      socket.setTcpNoDelay(true);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
      host = address.getHostString() + ":" + address.getPort();
    }

    JsonNode call(WireFormat format, String operation, ObjectNode request) throws IOException {
      return format.parse(send(format, operation, request));
    }

    /** Sends a call and returns the body of its answer, unparsed. */
    byte[] send(WireFormat format, String operation, ObjectNode request) throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      format.write(request, body);
      String head = "POST / HTTP/1.1\r\n"
          + "Host: " + host + "\r\n"
          + "Content-Type: " + format.contentType() + "\r\n"
          + "X-Amz-Target: " + ApiHandler.TARGET_PREFIX + operation + "\r\n"
          + "X-Amz-Date: 20260101T000000Z\r\n"
          // The headers an AWS SDK sends, so that decoding them is what gets compiled.
          + "amz-sdk-invocation-id: " + java.util.UUID.randomUUID() + "\r\n"
          + "amz-sdk-request: attempt=1; max=4\r\n"
          + "Authorization: AWS4-HMAC-SHA256 Credential=warm-up/20260101/us-east-1/kinesis/aws4_request, "
          + "SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;"
          + "x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000\r\n"
          + "User-Agent: aws-sdk-java/2.40.2 freshet-warm-up\r\n"
          + "Connection: Keep-Alive\r\n"
          + "Content-Length: " + body.size() + "\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      body.writeTo(out);
      out.flush();
      requests++;
      int status = -1;
      int length = -1;
      String line;
      while (!(line = readLine()).isEmpty()) {
        if (status < 0) {
          status = Integer.parseInt(line.split(" ", 3)[1]);
        } else if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      if (length < 0) {
        throw new IOException(operation + " was answered without a Content-Length");
      }
      byte[] answer = in.readNBytes(length);
      if (answer.length != length) {
        throw new EOFException(operation + ": the connection closed inside the answer");
      }
      if (status != 200) {
        throw new IOException(operation + " was answered " + status + ": "
            + new String(answer, StandardCharsets.UTF_8));
      }
      return answer;
    }

    private String readLine() throws IOException {
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new EOFException("the server closed the connection");
        }
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
