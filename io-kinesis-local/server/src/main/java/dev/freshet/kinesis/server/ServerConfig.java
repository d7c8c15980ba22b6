package dev.freshet.kinesis.server;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import java.util.Optional;

/**
 * How a {@link KinesisServer} listens: address, limits and worker threads.
 *
 * <pre>{@code
 * ServerConfig config = ServerConfig.builder().setPort(4567).build();
 * }</pre>
 */
@AutoValue
public abstract class ServerConfig {
  /** Defaults: 127.0.0.1, port 4567, 10 MiB request bodies, 32 worker threads. */
  public static Builder builder() {
    return new AutoValue_ServerConfig.Builder()
        .setHost("127.0.0.1")
        .setPort(4567)
        .setMaxRequestBytes(10 << 20)
        .setWorkerThreads(32)
        .setCredentials(ServerCredentials.none());
  }

  /** The address to listen on; default 127.0.0.1 (loopback only). */
  public abstract String host();

  /** The port; 0 picks a free one (see {@link KinesisServer#address()}). */
  public abstract int port();

  /**
   * The largest request body accepted; larger ones are refused from their Content-Length (or as
   * soon as they pass it), never buffered. Default 10 MiB: a full 5 MiB PutRecords in base64 JSON.
   */
  public abstract int maxRequestBytes();

  /**
   * Threads that run store calls off the network threads; a write under {@code fsync} durability
   * waits for the disk, and more concurrent writers make bigger group commits. Default 32.
   */
  public abstract int workerThreads();

  /**
   * The access keys whose AWS Signature Version 4 the server requires on every API request ({@code
   * GET /health} excepted). Default none: authentication is off, as suits local use.
   */
  public abstract ServerCredentials credentials();

  /**
   * TLS for the listener (keystore or self-signed), with HTTP/2 and HTTP/1.1 chosen by ALPN; the
   * endpoint is then {@code https://}. Default empty: cleartext HTTP/1.1 and HTTP/2.
   */
  public abstract Optional<ServerTls> tls();

  public abstract Builder toBuilder();

  /** Builder for {@link ServerConfig}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setHost(String value);

    public abstract Builder setPort(int value);

    public abstract Builder setMaxRequestBytes(int value);

    public abstract Builder setWorkerThreads(int value);

    public abstract Builder setCredentials(ServerCredentials value);

    public abstract Builder setTls(ServerTls value);

    public abstract Builder setTls(Optional<ServerTls> value);

    abstract ServerConfig autoBuild();

    public ServerConfig build() {
      ServerConfig config = autoBuild();
      checkArgument(config.port() >= 0 && config.port() <= 65535,
          "port must be between 0 and 65535, but was: %s", config.port());
      checkArgument(config.maxRequestBytes() >= 64 * 1024,
          "maxRequestBytes must be at least 65536, but was: %s", config.maxRequestBytes());
      checkArgument(config.workerThreads() >= 1 && config.workerThreads() <= 1024,
          "workerThreads must be between 1 and 1024, but was: %s", config.workerThreads());
      return config;
    }
  }
}
