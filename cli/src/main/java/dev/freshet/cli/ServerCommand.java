package dev.freshet.cli;

import dev.freshet.kinesis.console.ConsoleService;
import dev.freshet.kinesis.firehose.FirehoseService;
import dev.freshet.kinesis.firehose.FirehoseServiceConfig;
import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.server.ServerCredentials;
import dev.freshet.kinesis.server.ServerTls;
import dev.freshet.kinesis.server.ServerWarmUp;
import dev.freshet.kinesis.server.ServiceExtension;
import dev.freshet.kinesis.video.VideoService;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code freshet server}: the Kinesis wire API on a local port, in front of the embedded store, so
 * the AWS SDKs, the aws CLI, Beam's KinesisIO and Flink's Kinesis connector work by changing only
 * their endpoint.
 *
 * <p>It prints one line when it is ready ({@code freshet server listening on <endpoint> (data
 * folder <dir>)}) and then serves until it is interrupted. On SIGTERM or SIGINT it stops
 * accepting, lets requests in progress finish, closes the server and then the store (so every
 * acknowledged write is flushed) and exits 0. In-process, interrupting the thread running the
 * command stops it the same way.
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = "Serve the Kinesis API (JSON and CBOR, HTTP/1.1 and HTTP/2) and the Kinesis Video "
        + "API on a local port, in front of the store in --data-dir. Stops cleanly on Ctrl-C or SIGTERM.")
final class ServerCommand implements Callable<Integer> {
  /**
   * How long the shutdown hook waits for the server and store to close; the server itself gives
   * requests in progress 30 s, closing the store flushes the shard logs.
   */
  private static final long STOP_TIMEOUT_SECONDS = 60;

  @Spec CommandSpec spec;

  @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "Address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "4567",
      description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--tls",
      description = "Serve HTTPS (HTTP/2 and HTTP/1.1 by ALPN). Without --tls-keystore, with a "
          + "self-signed certificate generated at start; its SHA-256 fingerprint is printed.")
  boolean tls;

  @Option(names = "--tls-keystore", paramLabel = "FILE",
      description = "PKCS12 or JKS keystore with the server's key and certificate (needs --tls and "
          + "--tls-password).")
  Path tlsKeyStore;

  @Option(names = "--tls-password", paramLabel = "PW",
      description = "Password of --tls-keystore and of its key.")
  String tlsPassword;

  @Option(names = "--credentials", paramLabel = "FILE",
      description = "aws-cli style credentials file; requests must then be signed (SigV4) by one "
          + "of its access keys. Default: no authentication.")
  Path credentials;

  @Option(names = "--region", paramLabel = "REGION",
      description = "Region in ARNs; set it to your clients' region (default: us-east-1).")
  String region;

  @Option(names = "--account", paramLabel = "ACCOUNT",
      description = "12-digit account id in ARNs (default: 000000000000).")
  String account;

  @Option(names = "--s3-port", paramLabel = "PORT",
      description = "Port of the S3 API that Firehose deliveries land in (<data-dir>/s3, path-style); "
          + "default: --port + 1 (a free one when --port is 0); 0 turns it off.")
  Integer s3Port;

  @Option(names = "--s3-endpoint", paramLabel = "URL",
      description = "Deliver Firehose S3 destinations to this S3 API instead (path-style).")
  URI s3Endpoint;

  @Option(names = "--warm-up", negatable = true, defaultValue = "false", fallbackValue = "true",
      description = "Before the ready line, serve the Kinesis data-plane calls on a throw-away store "
          + "and server until the JIT has compiled them (at most " + WARM_UP_MAX_SECONDS + " s), so "
          + "that the first clients see the steady-state latency (default: off, so the server is ready in "
          + "seconds; turn it on for a long-running server whose first requests must be fast).")
  boolean warmUp;

  /** The longest the warm-up may take; on a busy machine the JIT may still be compiling then. */
  static final int WARM_UP_MAX_SECONDS = 30;

  @Override
  public Integer call() {
    Freshet root = Freshet.root(spec);
    StoreConfig storeConfig = storeConfig(root);
    // Checked before the store is opened, so a mistake in a file never touches the data.
    ServerConfig serverConfig = serverConfig();
    Path dataDir = root.dataDir.toAbsolutePath().normalize();
    PrintWriter out = spec.commandLine().getOut();

    LocalStreamStore store = LocalStreamStore.open(storeConfig);
    KinesisServer server;
    FirehoseService firehose = openFirehose(store, storeConfig);
    try {
      server = start(serverConfig, store, firehose);
    } catch (RuntimeException e) {
      try {
        firehose.close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      store.close();
      throw e;
    }
    if (serverConfig.tls().map(ServerTls::isSelfSigned).orElse(false)) {
      try {
        printSelfSigned(out, server.certificates().get(0), dataDir);
      } catch (RuntimeException e) {
        stop(server, store);
        throw e;
      }
    }

    if (warmUp) {
      warmUp(storeConfig);
    }

    CountDownLatch stopRequested = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicInteger exitCode = new AtomicInteger();
    Thread hook = new Thread(() -> {
      stopRequested.countDown();
      try {
        if (!stopped.await(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          System.err.printf("error: the server did not stop within %d s%n", STOP_TIMEOUT_SECONDS);
          exitCode.set(1);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exitCode.set(1);
      }
      // A shutdown begun by a signal ends with status 128 + signal; a clean stop is a success.
      Runtime.getRuntime().halt(exitCode.get());
    }, "freshet-server-stop");
    Runtime.getRuntime().addShutdownHook(hook);

    out.printf("freshet server listening on %s (data folder %s)%n", server.endpoint(), dataDir);
    firehose.s3Endpoint().ifPresent(s3 -> out.printf("S3 API of Firehose deliveries on %s%n", s3));
    if (serverConfig.credentials().isEmpty()) {
      out.printf("console on %s%n", ConsoleService.url(server.endpoint()));
    } else {
      out.println("console off: browsers cannot sign requests, and --credentials requires signatures");
    }
    out.flush();

    boolean interrupted = false;
    try {
      stopRequested.await();
    } catch (InterruptedException e) {
      // Stopped in-process; the flag is restored once the close below no longer needs to wait.
      interrupted = true;
    }
    // A failure, until the close below has finished: an Error escaping it must not exit 0.
    exitCode.set(1);
    try {
      stop(server, store);
      out.println("freshet server stopped");
      out.flush();
      exitCode.set(0);
    } catch (RuntimeException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.printf("error: the server did not stop cleanly: %s%n", e);
      err.flush();
    } finally {
      stopped.countDown();
      if (!interrupted) {
        // A signal: the hook is running and ends the process with the exit code.
        awaitHalt();
      }
      Runtime.getRuntime().removeShutdownHook(hook);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return exitCode.get();
  }

  /**
   * Runs {@link ServerWarmUp} once the port is bound (so a port in use fails at once) and before
   * the ready line. A warm-up that fails costs only speed: it is reported and the server serves.
   */
  private void warmUp(StoreConfig storeConfig) {
    try {
      ServerWarmUp.Result result = ServerWarmUp.run(storeConfig, java.time.Duration.ofSeconds(WARM_UP_MAX_SECONDS));
      if (!result.quiet()) {
        spec.commandLine().getErr().printf("freshet server: the warm-up reached its %d s limit with the "
            + "JIT still compiling; the first requests may be slower%n", WARM_UP_MAX_SECONDS);
      }
    } catch (RuntimeException e) {
      spec.commandLine().getErr().printf("warning: the warm-up failed (%s); serving without it%n", e);
    }
    spec.commandLine().getErr().flush();
  }

  private StoreConfig storeConfig(Freshet root) {
    StoreConfig.Builder builder = root.storeConfig();
    if (region != null) {
      builder.setRegion(region);
    }
    if (account != null) {
      builder.setAccount(account);
    }
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
    }
  }

  ServerConfig serverConfig() {
    ServerConfig.Builder builder = ServerConfig.builder().setHost(host).setPort(port);
    if (tlsKeyStore != null || tlsPassword != null) {
      if (!tls) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--tls-keystore and --tls-password need --tls");
      }
      if (tlsKeyStore == null || tlsPassword == null) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--tls-keystore and --tls-password go together");
      }
      if (!Files.isRegularFile(tlsKeyStore) || !Files.isReadable(tlsKeyStore)) {
        throw new CliException("the TLS keystore " + tlsKeyStore + " is not a readable file");
      }
      builder.setTls(ServerTls.keyStore(tlsKeyStore, tlsPassword));
    } else if (tls) {
      builder.setTls(ServerTls.selfSigned());
    }
    if (credentials != null) {
      try {
        builder.setCredentials(ServerCredentials.load(credentials));
      } catch (UncheckedIOException e) {
        throw new CliException("cannot read the credentials file " + credentials + ": "
            + describe(e.getCause()), e);
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage(), e);
      }
    }
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
    }
  }

  /**
   * Starts the server with the Firehose and Kinesis Video APIs and the console on the same port
   * (the server closes them). The console only when requests need no signature: browsers do not sign.
   */
  KinesisServer start(ServerConfig config, LocalStreamStore store, FirehoseService firehose) {
    VideoService video = new VideoService(VideoCommand.openStore(spec));
    ConsoleService console = null;
    try {
      List<ServiceExtension> extensions = new java.util.ArrayList<>(List.of(firehose, video));
      if (config.credentials().isEmpty()) {
        console = ConsoleSqlWorkspace.attach(ConsoleService.builder(store).setFirehose(firehose)
            .setVideo(video.store()), store.config().dataDir(), store).build();
        extensions.add(console);
      }
      return start(config, store, extensions);
    } catch (RuntimeException e) {
      if (console != null) {
        console.close();
      }
      video.close();
      throw e;
    }
  }

  /** The Firehose API with its S3 API (unless --s3-port 0); closed by the server. */
  FirehoseService openFirehose(LocalStreamStore store, StoreConfig storeConfig) {
    FirehoseServiceConfig.Builder builder = FirehoseServiceConfig.builder(storeConfig.dataDir())
        .setRegion(storeConfig.region()).setAccount(storeConfig.account());
    int s3 = s3Port != null ? s3Port : port == 0 ? 0 : port + 1;
    if (s3Port != null && (s3Port < 0 || s3Port > 65535)) {
      store.close();
      throw new CommandLine.ParameterException(spec.commandLine(), "--s3-port must be between 0 and 65535");
    }
    if (s3Endpoint != null) {
      builder.setS3Endpoint(s3Endpoint);
    }
    if (s3 != 0 || (s3Port == null && port == 0)) {
      builder.setS3Server(host, s3);
    }
    try {
      return FirehoseService.open(builder.build(), store);
    } catch (IOException | RuntimeException e) {
      store.close();
      throw new CliException("cannot start the Firehose service (S3 API on " + host + ":" + s3 + "): "
          + describe(e) + (s3 == 0 ? "" : "; choose another --s3-port, or 0 to turn the S3 API off"), e);
    }
  }

  /** Starts the server, turning the failures a user can fix into one-line errors. */
  private KinesisServer start(ServerConfig config, LocalStreamStore store, List<ServiceExtension> extensions) {
    try {
      return KinesisServer.start(config, store, extensions);
    } catch (UncheckedIOException e) {
      // Reading the keystore: a wrong password or a file that is not a keystore.
      throw new CliException("cannot use the TLS keystore " + tlsKeyStore + ": "
          + describe(e.getCause()), e);
    } catch (IllegalArgumentException e) {
      // Not a usable keystore (unknown format, no private key entry); the cause says which.
      throw new CliException("cannot use the TLS keystore " + tlsKeyStore + ": "
          + describe(e.getCause() != null ? e.getCause() : e), e);
    } catch (Exception e) {
      // Netty rethrows the bind failure, a checked exception, without declaring it.
      SocketException bindFailure = socketException(e);
      if (bindFailure == null) {
        throw e;
      }
      throw new CliException("cannot listen on " + host + ":" + port + ": "
          + bindFailure.getMessage().toLowerCase(Locale.ROOT)
          + (port == 0 ? "" : "; stop the other server or choose another --port"), e);
    }
  }

  private static SocketException socketException(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SocketException socketException) {
        return socketException;
      }
    }
    return null;
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** The server first, so no request reaches a closed store; then the store, flushing its logs. */
  private static void stop(KinesisServer server, LocalStreamStore store) {
    try {
      server.close();
    } finally {
      store.close();
    }
  }

  /**
   * Prints the fingerprint of a generated certificate, for users to compare with what their client
   * sees, and writes it as PEM beside the data, for clients that take a CA bundle file.
   */
  private static void printSelfSigned(PrintWriter out, X509Certificate certificate, Path dataDir) {
    Path pem = dataDir.resolve("server-certificate.pem");
    try {
      byte[] der = certificate.getEncoded();
      String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
      Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n");
      String fingerprint = HexFormat.ofDelimiter(":").withUpperCase()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(der));
      out.printf("self-signed TLS certificate for localhost, 127.0.0.1 and ::1 in %s%n", pem);
      out.printf("  SHA-256 fingerprint %s%n", fingerprint);
    } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot encode the generated certificate", e);
    } catch (IOException e) {
      throw new CliException("cannot write the generated certificate to " + pem + ": " + e.getMessage(), e);
    }
  }

  /** Blocks the stopping thread while the shutdown hook halts the JVM. */
  private static void awaitHalt() {
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
