package dev.freshet.sdk.io;

import static dev.freshet.sdk.io.StreamIOTesting.dataOf;
import static dev.freshet.sdk.io.StreamIOTesting.directPipeline;
import static dev.freshet.sdk.io.StreamIOTesting.putAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline that once hung on the Direct runner with both bundle threads in {@code
 * StreamWriterFn.finishBundle} → {@code StreamProducer.flush}: {@code StreamIO.read()} with {@code
 * withStopReadingAt} copying to {@code StreamIO.write()}, both through an in-process server, run
 * many times over. Each run must finish, with every record copied once per run, within a generous
 * limit; a run that does not finish fails the test with every thread's stack.
 */
class StreamIOServerCopyRepeatTest {
  private static final int RUNS = 20;
  private static final int RECORDS = 400;
  /** Far above a run's few seconds even on a loaded machine; only a hang reaches it. */
  private static final long RUN_LIMIT_SECONDS = 120;

  @TempDir Path dir;
  @RegisterExtension final StoreFixture store = new StoreFixture();

  @Test
  void copiesThroughTheServerUntilTheStopTimeEveryRunWithoutHanging() throws Exception {
    StreamClient client = store.open(dir);
    client.createStream(CreateStreamRequest.provisioned("in", 4));
    List<String> input = putAll(client, "in", RECORDS, "c-");
    ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
      Thread thread = new Thread(r, "copy-pipeline-runner");
      thread.setDaemon(true);
      return thread;
    });
    try (KinesisServer server = KinesisServer.start(
        ServerConfig.builder().setPort(0).setWorkerThreads(4).build(), client)) {
      for (int run = 0; run < RUNS; run++) {
        String out = "out-" + run;
        client.createStream(CreateStreamRequest.provisioned(out, 2));
        Pipeline pipeline = directPipeline();
        pipeline
            .apply(StreamIO.read().withStream("in").withEndpoint(server.endpoint())
                .withStartingPosition(StartingPosition.trimHorizon()).withStopReadingAt(Instant.now()))
            .apply(MapElements.into(TypeDescriptors.strings()).via(StreamRecord::dataAsString))
            .apply(StreamIO.<String>write().withStream(out).withEndpoint(server.endpoint())
                .withPartitionKey(v -> v).withSerializer(v -> v.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        Future<PipelineResult.State> finished = runner.submit(() -> pipeline.run().waitUntilFinish());
        try {
          assertThat(finished.get(RUN_LIMIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(PipelineResult.State.DONE);
        } catch (TimeoutException e) {
          fail("run " + run + " of " + RUNS + " did not finish within " + RUN_LIMIT_SECONDS + " s; threads:\n"
              + threadDump());
        }
        assertThat(dataOf(client, out)).as("run %s", run).containsExactlyInAnyOrderElementsOf(input);
      }
    } finally {
      runner.shutdownNow();
    }
  }

  private static String threadDump() {
    StringBuilder out = new StringBuilder();
    for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
      out.append('"').append(info.getThreadName()).append("\" ").append(info.getThreadState());
      if (info.getLockName() != null) {
        out.append(" on ").append(info.getLockName());
      }
      out.append('\n');
      for (StackTraceElement frame : info.getStackTrace()) {
        out.append("    at ").append(frame).append('\n');
      }
    }
    return out.toString();
  }
}
