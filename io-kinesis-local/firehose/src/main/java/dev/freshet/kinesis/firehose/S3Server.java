package dev.freshet.kinesis.firehose;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.transforms.firehose.FirehoseDestination;
import dev.freshet.transforms.firehose.S3Destination;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S3 API of {@code freshet server}'s deliveries: s3proxy (a real S3 API implementation) over
 * jclouds' filesystem blob store in {@code <data-dir>/s3}, one folder per bucket, path-style, with
 * no authentication (any credentials are accepted, as by the Kinesis port without
 * {@code --credentials}).
 *
 * <pre>{@code
 * try (S3Server s3 = S3Server.start(dataDir.resolve("s3"), "127.0.0.1", 4568)) {
 *   // aws s3 ls --endpoint-url http://127.0.0.1:4568 s3://NAME --recursive
 * }
 * }</pre>
 */
public final class S3Server implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(S3Server.class);

  private final BlobStoreContext context;
  private final S3Proxy proxy;
  private final URI endpoint;

  private S3Server(BlobStoreContext context, S3Proxy proxy, URI endpoint) {
    this.context = context;
    this.proxy = proxy;
    this.endpoint = endpoint;
  }

  /** Serves the buckets under {@code folder} on {@code host:port} (0: a free port). */
  public static S3Server start(Path folder, String host, int port) throws IOException {
    checkNotNull(folder, "folder");
    checkNotNull(host, "host");
    Files.createDirectories(folder);
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", folder.toAbsolutePath().toString());
    BlobStoreContext context = ContextBuilder.newBuilder("filesystem-nio2").credentials("freshet", "freshet")
        .overrides(properties).build(BlobStoreContext.class);
    String authority = host.contains(":") ? "[" + host + "]" : host;
    S3Proxy proxy = S3Proxy.builder().blobStore(context.getBlobStore())
        .awsAuthentication(AuthenticationType.NONE, null, null)
        .endpoint(URI.create("http://" + authority + ":" + port)).build();
    try {
      proxy.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!"STARTED".equals(proxy.getState())) {
        if (System.nanoTime() > deadline || "FAILED".equals(proxy.getState())) {
          throw new IOException("the S3 API did not start on " + host + ":" + port + " (state " + proxy.getState()
              + ")");
        }
        Thread.sleep(10);
      }
    } catch (Exception e) {
      try {
        proxy.stop();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      context.close();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw e instanceof IOException io ? io : new IOException("cannot start the S3 API on " + host + ":" + port
          + ": " + e.getMessage(), e);
    }
    URI endpoint = URI.create("http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : authority) + ":" + proxy.getPort());
    LOG.info("S3 API listening on {} (buckets in {})", endpoint, folder);
    return new S3Server(context, proxy, endpoint);
  }

  /** Where clients reach this S3 API. */
  public URI endpoint() {
    return endpoint;
  }

  /** Creates the bucket if it is missing. */
  public void createBucket(String bucket) {
    BlobStore store = context.getBlobStore();
    if (!store.containerExists(bucket)) {
      store.createContainerInLocation(null, bucket);
      LOG.info("S3 API: created bucket {}", bucket);
    }
  }

  /** A destination putting to {@code bucket} through this S3 API, the bucket created first. */
  FirehoseDestination destination(String bucket, String region) {
    createBucket(bucket);
    return S3Destination.builder().setBucket(bucket).setEndpoint(endpoint).setRegion(region).setPathStyle(true)
        .setCredentials("freshet", "freshet").build();
  }

  @Override
  public void close() throws Exception {
    try {
      proxy.stop();
    } finally {
      context.close();
    }
  }
}
