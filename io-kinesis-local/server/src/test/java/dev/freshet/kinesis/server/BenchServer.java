package dev.freshet.kinesis.server;

import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code freshet server} for benchmarks until the CLI has a {@code server} command: opens a store on
 * a data folder (a new temporary one by default) with the store's defaults (OS durability, no
 * throttling), serves it on loopback, prints one {@code ready <endpoint> <data dir>} line, and
 * closes both on SIGTERM. Before the ready line it warms the request path up ({@link
 * ServerWarmUp}) and prints a {@code warm-up ...} line saying what that took.
 *
 * <p>Arguments: {@code [port] [data dir]}; port 0 picks a free one.
 */
public final class BenchServer {
  private static final java.time.Duration WARM_UP_MAX = java.time.Duration.ofSeconds(90);

  private BenchServer() {}

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 4567;
    Path dataDir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("freshet-bench");
    StoreConfig storeConfig = StoreConfig.builder(dataDir).build();
    LocalStreamStore store = LocalStreamStore.open(storeConfig);
    KinesisServer server = KinesisServer.start(ServerConfig.builder().setPort(port).build(), store);
    // As `freshet server` does by default: compile the request path before saying it is ready.
    System.out.println("warm-up " + ServerWarmUp.run(storeConfig, WARM_UP_MAX));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      store.close();
      stopped.countDown();
    }, "bench-server-shutdown"));
    System.out.println("ready " + server.endpoint() + " " + dataDir);
    // For matching the JVM's uptime-stamped logs (-Xlog, -XX:+PrintCompilation) to wall-clock times.
    System.out.println("jvm-start-epoch-ms " + java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime());
    System.out.flush();
    stopped.await();
  }
}
