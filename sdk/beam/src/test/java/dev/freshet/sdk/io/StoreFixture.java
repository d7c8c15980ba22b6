package dev.freshet.sdk.io;

import com.google.common.base.Preconditions;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import java.net.URI;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real embedded store of a StreamIO test ({@code @RegisterExtension}): opened on a folder of the
 * test's and registered at that folder's {@code file:} endpoint, so that pipelines in the same JVM
 * use this instance rather than opening the folder a second time; closed after each test.
 *
 * <p>Shared: sdk/beam publishes its test classes as a test-jar, and other modules' tests (transforms)
 * use this fixture from it.
 */
public final class StoreFixture implements AfterEachCallback {
  private StreamClients.@Nullable Lease lease;
  private @Nullable URI endpoint;

  /** Opens the store on {@code dir} with every default. */
  public StreamClient open(Path dir) {
    return open(StoreConfig.builder(dir).build());
  }

  /** Opens the store with {@code config}. */
  public StreamClient open(StoreConfig config) {
    Preconditions.checkState(lease == null, "the store is already open at %s", endpoint);
    endpoint = StreamClients.endpointOf(config.dataDir());
    lease = StreamClients.register(endpoint, LocalStreamStore.open(config));
    return lease.client();
  }

  /** The endpoint to hand {@code StreamIO.read()} and {@code write()}. */
  public URI endpoint() {
    Preconditions.checkState(endpoint != null, "the store is not open");
    return endpoint;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (lease != null) {
      lease.close();
      lease = null;
      endpoint = null;
    }
  }
}
