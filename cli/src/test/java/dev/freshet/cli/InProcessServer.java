package dev.freshet.cli;

import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.StreamClient;
import java.net.URI;
import java.nio.file.Path;

/**
 * The Kinesis-compatible server on a free loopback port over an embedded store, in the test's JVM:
 * what {@code freshet server} runs, reachable from a cluster's TaskManagers. The test writes input
 * and reads output through {@link #store()}, the same store the server serves.
 */
final class InProcessServer implements AutoCloseable {
  private final StreamClient store;
  private final KinesisServer server;

  InProcessServer(Path dataDir) {
    this.store = LocalStreamStore.open(StoreConfig.builder(dataDir).build());
    this.server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), store);
  }

  /** {@code http://127.0.0.1:PORT}, for {@code --endpoint}. */
  URI endpoint() {
    return server.endpoint();
  }

  StreamClient store() {
    return store;
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      store.close();
    }
  }
}
