package dev.freshet.kinesis.server;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.sdk.stream.StreamClient;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kinesis wire API on a local port, in front of a {@link StreamClient} (normally the embedded
 * {@code LocalStreamStore}). Clients change only their endpoint:
 *
 * <pre>{@code
 * try (LocalStreamStore store = LocalStreamStore.open(StoreConfig.builder(dir).build());
 *     KinesisServer server = KinesisServer.start(ServerConfig.builder().setPort(4567).build(), store)) {
 *   KinesisClient kinesis = KinesisClient.builder().endpointOverride(server.endpoint())...build();
 * }
 * }</pre>
 *
 * <p>Speaks JSON 1.1 and CBOR 1.1 bodies over HTTP/1.1 and HTTP/2 (cleartext, or TLS with ALPN
 * when {@link ServerConfig#tls()} is set), with the service's operation names, members and error
 * shapes. With {@link ServerConfig#credentials()}, API requests must carry an AWS Signature
 * Version 4 by one of those keys. {@code GET /health} answers when it is up; {@code GET
 * /metrics} shows counters in the Prometheus text format. Closing it (once; later calls do nothing) stops accepting, lets requests
 * in progress finish, and leaves the store open (its owner closes it).
 */
public final class KinesisServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KinesisServer.class);

  private final ServerConfig config;
  private final EventLoopGroup boss;
  private final EventLoopGroup io;
  private final ExecutorService workers;
  private final Channel channel;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
  private final InetSocketAddress address;
  private final List<X509Certificate> certificates;

  private final List<ServiceExtension> extensions;
  private final ApiHandler api;

  private KinesisServer(ServerConfig config, StreamClient client, List<ServiceExtension> extensions)
      throws InterruptedException {
    this.config = config;
    this.extensions = List.copyOf(extensions);
    AtomicInteger count = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 60,
        TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
          Thread thread = new Thread(runnable, "freshet-server-worker-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    this.boss = new NioEventLoopGroup(1);
    this.io = new NioEventLoopGroup();
    ServerMetrics metrics = new ServerMetrics(client);
    ApiHandler api = new ApiHandler(client, metrics, workers, this.extensions);
    this.api = api;
    TlsContexts.Tls tls = config.tls().map(TlsContexts::build).orElse(null);
    this.certificates = tls == null ? List.of() : tls.chain;
    SignatureCheck signatureCheck = config.credentials().isEmpty() ? null
        : new SignatureCheck(new SignatureVerifier(config.credentials(), Clock.systemUTC(),
            this.extensions.stream().map(ServiceExtension::signingName).toList()), this.extensions);
    try {
      this.channel = new ServerBootstrap()
          .group(boss, io)
          .channel(NioServerSocketChannel.class)
          .option(ChannelOption.SO_BACKLOG, 1024)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ServerInitializer(config, api, tls == null ? null : tls.context, signatureCheck))
          .bind(config.host(), config.port())
          .sync()
          .channel();
    } catch (RuntimeException | InterruptedException e) {
      shutdownThreads();
      throw e;
    }
    this.address = (InetSocketAddress) channel.localAddress();
  }

  /** Starts serving {@code client} as configured; returns once the port is bound. */
  public static KinesisServer start(ServerConfig config, StreamClient client) {
    return start(config, client, List.of());
  }

  /**
   * Starts serving {@code client} and, on the same port, the given {@link ServiceExtension}s (the
   * Firehose API, the Kinesis Video API, …), which the server then owns and closes when it closes.
   */
  public static KinesisServer start(ServerConfig config, StreamClient client,
      List<? extends ServiceExtension> extensions) {
    checkNotNull(config, "config");
    checkNotNull(client, "client");
    checkNotNull(extensions, "extensions");
    try {
      KinesisServer server = new KinesisServer(config, client, List.copyOf(extensions));
      LOG.info("Kinesis API listening on {}", server.endpoint());
      return server;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the server", e);
    }
  }

  /** The bound address (with the actual port when 0 was asked for). */
  public InetSocketAddress address() {
    return address;
  }

  /** The endpoint URL for clients, such as {@code http://127.0.0.1:4567} ({@code https://} with TLS). */
  public URI endpoint() {
    String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getHostString();
    return URI.create((config.tls().isPresent() ? "https://" : "http://") + host + ":" + address.getPort());
  }

  /**
   * The certificate chain the server presents with TLS (leaf first), for clients to trust a
   * generated self-signed one; empty without TLS.
   */
  public List<X509Certificate> certificates() {
    return certificates;
  }

  public ServerConfig config() {
    return config;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    channel.close().syncUninterruptibly();
    workers.shutdown();
    try {
      if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("Requests still running after 30 s at shutdown; stopping them");
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      workers.shutdownNow();
    }
    shutdownThreads();
    api.closeStreams();
    for (ServiceExtension extension : extensions) {
      try {
        extension.close();
      } catch (Exception e) {
        LOG.warn("Closing the {} service failed; its resources may stay open", extension.signingName(), e);
      }
    }
    LOG.info("Kinesis API on {} stopped", endpoint());
  }

  private void shutdownThreads() {
    io.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownNow();
  }
}
