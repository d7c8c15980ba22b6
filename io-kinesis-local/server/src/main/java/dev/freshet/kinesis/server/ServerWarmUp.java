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
 * Runs the server's request path until the JIT compiler has compiled it, before the real server
 * opens its port, so that the first clients are not the ones paying for it.
 *
 * <p>A fresh JVM serves its first tens of thousands of requests from the interpreter and from
 * profiled (tier 3) code while the compiler threads compile the hot path with C2; on a small
 * machine those threads take the cores the requests need, and the code being replaced deoptimizes
 * as it goes. {@code bench/peers.sh} measured it: the first round's put→visible p50 and p99 were
 * 5 and 18 times the later rounds' (0.86 against 0.16 ms, 5.3 against 0.3 ms), while about a hundred
 * methods a second were still being compiled during its samples.
 *
 * <p>{@link #run} starts a throw-away store (on a temporary folder, with the real store's
 * durability, so the same code paths run) and server on a loopback port, drives it over one
 * keep-alive HTTP/1.1 connection with the data-plane calls of a Kinesis client (PutRecord then
 * GetRecords on its shard, as a tailing reader does; PutRecords batches; GetShardIterator;
 * alternately JSON and CBOR bodies), and stops once the JIT is quiet: at least {@link
 * #MIN_ITERATIONS} iterations, then as soon as a round of iterations spent under 2 % of its time
 * in compilation, or at {@code maxTime}. It then closes both and deletes the folder; nothing of it
 * reaches the real store.
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
  private static final int BATCH = 100;
  private static final String STREAM = "warm-up";

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

  /** {@link #run(StoreConfig, Duration)} with its temporary folder made in {@code parent}. */
  static Result run(StoreConfig storeConfig, Duration maxTime, Path parent) {
    checkNotNull(storeConfig, "storeConfig");
    checkNotNull(maxTime, "maxTime");
    checkArgument(!maxTime.isNegative() && !maxTime.isZero(), "maxTime must be positive, but was: %s", maxTime);
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
        store.createStream(CreateStreamRequest.provisioned(STREAM, 4));
        Result result = drive(server.address(), maxTime);
        LOG.info("Server warm-up: {}", result);
        return result;
      }
    } finally {
      try {
        MoreFiles.deleteRecursively(dir, RecursiveDeleteOption.ALLOW_INSECURE);
      } catch (IOException e) {
        LOG.warn("Could not delete the warm-up folder {}", dir, e);
      }
    }
  }

  private static Result drive(InetSocketAddress address, Duration maxTime) {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
    long start = System.nanoTime();
    long deadline = start + maxTime.toNanos();
    long compilationAtStart = timed ? jit.getTotalCompilationTime() : 0;
    try (Connection connection = new Connection(address)) {
      WireFormat[] formats = {WireFormat.JSON, WireFormat.CBOR};
      String[] iterators = new String[formats.length];
      String[] shards = new String[formats.length];
      for (int f = 0; f < formats.length; f++) {
        ObjectNode put = putRecord(formats[f], "key-" + f);
        JsonNode answer = connection.call(formats[f], "PutRecord", put);
        shards[f] = answer.get("ShardId").asText();
        iterators[f] = iterator(connection, formats[f], shards[f]);
      }
      int iterations = 0;
      boolean quiet = false;
      while (System.nanoTime() < deadline) {
        long roundStart = System.nanoTime();
        long compilationBefore = timed ? jit.getTotalCompilationTime() : 0;
        for (int i = 0; i < ROUND; i++, iterations++) {
          int f = iterations & 1;
          WireFormat format = formats[f];
          // A tailing reader: put one record, then read its shard from where it left off.
          connection.call(format, "PutRecord", putRecord(format, "key-" + f));
          JsonNode page = connection.call(format, "GetRecords", getRecords(format, iterators[f], 10_000));
          JsonNode next = page.get("NextShardIterator");
          iterators[f] = next == null || next.isNull() ? iterator(connection, format, shards[f]) : next.asText();
          if (iterations % 50 == 0) {
            connection.call(format, "PutRecords", putRecords(format));
            // A reader starting over: a new iterator and a full page.
            connection.call(format, "GetRecords", getRecords(format,
                iterator(connection, format, shards[f]), 1_000));
          }
        }
        if (iterations >= MIN_ITERATIONS && timed) {
          long roundMillis = (System.nanoTime() - roundStart) / 1_000_000;
          long compiled = jit.getTotalCompilationTime() - compilationBefore;
          if (compiled * 50 <= roundMillis) {
            quiet = true;
            break;
          }
        } else if (iterations >= MIN_ITERATIONS * 2) {
          // Without compilation times, twice the minimum.
          quiet = true;
          break;
        }
      }
      return new Result(iterations, connection.requests, Duration.ofNanos(System.nanoTime() - start),
          timed ? jit.getTotalCompilationTime() - compilationAtStart : 0, quiet);
    } catch (IOException e) {
      throw new UncheckedIOException("the server's warm-up failed", e);
    }
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
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      format.write(request, body);
      String head = "POST / HTTP/1.1\r\n"
          + "Host: " + host + "\r\n"
          + "Content-Type: " + format.contentType() + "\r\n"
          + "X-Amz-Target: " + ApiHandler.TARGET_PREFIX + operation + "\r\n"
          + "X-Amz-Date: 20260101T000000Z\r\n"
          + "User-Agent: freshet-warm-up\r\n"
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
      return format.parse(answer);
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
