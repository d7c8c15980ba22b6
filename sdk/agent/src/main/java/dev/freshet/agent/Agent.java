package dev.freshet.agent;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import dev.freshet.sdk.stream.StreamClients;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseClient;

/**
 * The Kinesis Agent's equivalent: tails the files of each flow's glob and delivers their lines, cut
 * into records and processed, to a Freshet stream or a delivery stream.
 *
 * <pre>{@code
 * try (Agent agent = Agent.start(AgentConfig.load(Path.of("agent.yaml")), System.err)) {  // required: the config
 *   agent.awaitTermination();                                                            // runs until closed
 * }
 * }</pre>
 *
 * <h2>Files and rotation</h2>
 * Each flow scans its glob every {@code minTimeBetweenFilePollsMillis} when its files have nothing
 * new. A file keeps its identity across a rename (same file key, same first bytes) and across a
 * copy-truncate (its offset moves to the copy, and the truncated file starts again from its
 * beginning); see {@link FileTracker}.
 *
 * <h2>Checkpoints and the delivery guarantee</h2>
 * A flow delivers one buffer at a time and rewrites the checkpoint file only once every record of
 * the buffer is acknowledged. After a crash it resumes from the checkpoint, so nothing is skipped,
 * and what was delivered after the checkpoint is sent again. For a stream that repeat is not
 * stored twice: every record is an idempotent write (producer id per file, sequence = the file
 * offset after the record), so a stream receives every line exactly once. A delivery stream has no
 * idempotent writes, so there the guarantee is at least once.
 *
 * <h2>Status</h2>
 * Every {@code statusIntervalMillis} one line per flow goes to the status stream: records parsed,
 * skipped, sent and failed, and the bytes not yet delivered. Nothing is logged per record.
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  private final List<StreamClients.Lease> leases = new ArrayList<>();
  private @Nullable FirehoseClient firehose;
  private final List<Flow> flows = new ArrayList<>();
  private final List<Destination> destinations = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private @Nullable ScheduledExecutorService statusTimer;
  private final PrintStream statusOut;
  private boolean closed;

  private Agent(PrintStream statusOut) {
    this.statusOut = statusOut;
  }

  /**
   * Opens the endpoints and the checkpoint file and starts one thread per flow.
   *
   * @param statusOut where the status line goes (the command uses stderr)
   * @throws IOException if the checkpoint file cannot be read
   */
  public static Agent start(AgentConfig config, PrintStream statusOut) throws IOException {
    checkNotNull(config, "config");
    Agent agent = new Agent(checkNotNull(statusOut, "statusOut"));
    try {
      agent.open(config);
    } catch (IOException | RuntimeException e) {
      agent.close();
      throw e;
    }
    return agent;
  }

  private void open(AgentConfig config) throws IOException {
    CheckpointStore checkpoints = CheckpointStore.open(config.checkpointFile());
    for (FlowConfig flowConfig : config.flows()) {
      Destination destination;
      if (flowConfig.destinationType() == FlowConfig.DestinationType.STREAM) {
        StreamClients.Lease lease = StreamClients.acquire(config.kinesisEndpoint());
        leases.add(lease);
        destination = new StreamDestination(flowConfig, lease.client());
      } else {
        destination = new DeliveryStreamDestination(flowConfig, firehose(config));
      }
      destinations.add(destination);
      flows.add(new Flow(flowConfig, destination, checkpoints, new FlowStatus(flowConfig.id())));
    }
    for (Flow flow : flows) {
      Thread thread = new Thread(flow, "freshet-agent-" + flow.status().flowId());
      threads.add(thread);
      thread.start();
    }
    LOG.info("Agent started with {} flows; checkpoints in {}", flows.size(), config.checkpointFile());
    if (config.statusIntervalMillis() > 0) {
      statusTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "freshet-agent-status");
        t.setDaemon(true);
        return t;
      });
      statusTimer.scheduleAtFixedRate(this::printStatus, config.statusIntervalMillis(), config.statusIntervalMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  private FirehoseClient firehose(AgentConfig config) {
    if (firehose == null) {
      AwsCredentialsProvider credentials;
      if (config.awsAccessKeyId() != null) {
        credentials = StaticCredentialsProvider.create(
            AwsBasicCredentials.create(config.awsAccessKeyId(), config.awsSecretAccessKey()));
      } else {
        credentials = defaultOrDummy();
      }
      firehose = FirehoseClient.builder()
          .endpointOverride(config.firehoseEndpoint())
          .region(Region.US_EAST_1)
          .credentialsProvider(credentials)
          .httpClient(ApacheHttpClient.builder().build())
          .build();
    }
    return firehose;
  }

  private static AwsCredentialsProvider defaultOrDummy() {
    DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
    try {
      chain.resolveCredentials();
      return chain;
    } catch (SdkClientException none) {
      return StaticCredentialsProvider.create(AwsBasicCredentials.create("freshet", "freshet"));
    }
  }

  /** Each flow's counters. */
  public ImmutableList<FlowStatus> status() {
    return flows.stream().map(Flow::status).collect(ImmutableList.toImmutableList());
  }

  private void printStatus() {
    for (Flow flow : flows) {
      statusOut.println("agent: " + flow.status().line());
    }
    statusOut.flush();
  }

  /** Blocks until every flow has ended (after {@link #close()}, or when a flow fails). */
  public void awaitTermination() throws InterruptedException {
    for (Thread t : threads) {
      t.join();
    }
  }

  /**
   * Stops the flows: each delivers and checkpoints what it holds, for up to 30 s, then is
   * interrupted (what it had not delivered is sent again on restart). Closes the clients.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    flows.forEach(Flow::stop);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      for (Thread t : threads) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (t.isAlive()) {
          t.interrupt();
          t.join();
        }
      }
    } catch (InterruptedException e) {
      threads.forEach(Thread::interrupt);
      Thread.currentThread().interrupt();
    }
    if (statusTimer != null) {
      statusTimer.shutdownNow();
      printStatus();
    }
    destinations.forEach(Destination::close);
    leases.forEach(StreamClients.Lease::close);
    if (firehose != null) {
      firehose.close();
    }
    LOG.info("Agent stopped");
  }
}
