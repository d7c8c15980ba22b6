package dev.freshet.sdk.stream;

import static com.google.common.base.Preconditions.checkNotNull;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * One shared {@link StreamClient} per endpoint and JVM, opened through the {@link
 * StreamClientProvider} that supports the endpoint's scheme and closed when its last user lets go.
 *
 * <p>Sharing matters for the embedded store: a data folder can be open in one store at a time, and
 * all readers and writers of a pipeline in one JVM (and the program that started it) use it
 * together.
 *
 * <pre>{@code
 * try (StreamClients.Lease lease = StreamClients.acquire(URI.create("file:///tmp/freshet-data"))) {
 *   lease.client().putRecord("clicks", PutRecordsEntry.of("k", "v"), null);
 * }
 * }</pre>
 */
public final class StreamClients {
  private static final Map<URI, Shared> OPEN = new HashMap<>();

  private StreamClients() {}

  /** A use of a shared client; closing it releases the use, and the last release closes the client. */
  public static final class Lease implements AutoCloseable {
    private final URI endpoint;
    private final Shared shared;
    private boolean released;

    private Lease(URI endpoint, Shared shared) {
      this.endpoint = endpoint;
      this.shared = shared;
    }

    public StreamClient client() {
      return shared.client;
    }

    @Override
    public void close() {
      synchronized (OPEN) {
        if (released) {
          return;
        }
        released = true;
        if (--shared.users == 0) {
          OPEN.remove(endpoint);
          shared.client.close();
        }
      }
    }
  }

  private static final class Shared {
    final StreamClient client;
    int users;

    Shared(StreamClient client) {
      this.client = client;
    }
  }

  /** A lease on the shared client for {@code endpoint}, opening it on first use. */
  public static Lease acquire(URI endpoint) {
    checkNotNull(endpoint, "endpoint");
    URI key = key(endpoint);
    synchronized (OPEN) {
      Shared shared = OPEN.get(key);
      if (shared == null) {
        shared = new Shared(provider(key).open(key));
        OPEN.put(key, shared);
      }
      shared.users++;
      return new Lease(key, shared);
    }
  }

  /**
   * Shares an already open client under {@code endpoint} (for a program that opened the store itself
   * and runs pipelines against it). The client stays open until the returned lease and every later
   * lease are closed; the caller must not close it directly meanwhile.
   */
  public static Lease register(URI endpoint, StreamClient client) {
    checkNotNull(client, "client");
    URI key = key(endpoint);
    synchronized (OPEN) {
      if (OPEN.containsKey(key)) {
        throw new IllegalStateException("a client for " + key + " is already open in this JVM");
      }
      Shared shared = new Shared(client);
      shared.users = 1;
      OPEN.put(key, shared);
      return new Lease(key, shared);
    }
  }

  /**
   * Whether a shared client for {@code endpoint} is open in this JVM, that is, some lease on it is
   * not yet closed. A program that registered a store and ran pipelines on it can wait for this to
   * turn false to know that the runner's readers have let the store go.
   */
  public static boolean isOpen(URI endpoint) {
    checkNotNull(endpoint, "endpoint");
    synchronized (OPEN) {
      return OPEN.containsKey(key(endpoint));
    }
  }

  /** One key per endpoint: {@code file:/x/} and {@code file:/x} name the same data folder. */
  private static URI key(URI endpoint) {
    URI normal = endpoint.normalize();
    String text = normal.toString();
    if ("file".equals(normal.getScheme()) && normal.getQuery() == null && text.endsWith("/") && text.length() > "file:/".length()) {
      return URI.create(text.substring(0, text.length() - 1));
    }
    return normal;
  }

  private static StreamClientProvider provider(URI endpoint) {
    List<String> schemes = new ArrayList<>();
    for (StreamClientProvider provider : ServiceLoader.load(StreamClientProvider.class, StreamClients.class.getClassLoader())) {
      if (provider.supports(endpoint)) {
        return provider;
      }
      schemes.add(provider.getClass().getSimpleName());
    }
    throw new IllegalArgumentException("No stream client for endpoint " + endpoint
        + ": use file:<data folder> (needs freshet-store on the classpath) or "
        + "http(s)://host:port (needs freshet-remote); providers found: " + (schemes.isEmpty() ? "none" : schemes));
  }

  /** The endpoint URI of a data folder, as {@code file:} endpoints name the embedded store. */
  public static URI endpointOf(java.nio.file.Path dataDir) {
    return dataDir.toAbsolutePath().normalize().toUri();
  }
}
