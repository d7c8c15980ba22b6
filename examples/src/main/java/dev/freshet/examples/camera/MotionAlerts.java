package dev.freshet.examples.camera;

import dev.freshet.examples.ExampleStreams;
import dev.freshet.examples.Examples;
import dev.freshet.runners.FreshetPipelineOptions;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import dev.freshet.sdk.stream.StreamStatus;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;

/**
 * {@link MotionDetection} as the gallery's {@code camera-motion}: creates the alert stream when it
 * is missing (one shard), runs the pipeline, then prints the alerts the stream holds.
 */
public final class MotionAlerts implements Examples.Program {
  @Override
  public void prepare(FreshetPipelineOptions given, PrintWriter out) throws Exception {
    MotionDetection.Options options = given.as(MotionDetection.Options.class);
    MotionDetection.checkEndpoint(options);
    try (StreamClients.Lease lease = StreamClients.acquire(options.getEndpoint())) {
      StreamClient client = lease.client();
      if (!ExampleStreams.exists(client, options.getAlertStream())) {
        client.createStream(CreateStreamRequest.provisioned(options.getAlertStream(), 1));
        long deadline = System.currentTimeMillis() + 30_000;
        while (client.describeStreamSummary(options.getAlertStream()).streamStatus() != StreamStatus.ACTIVE) {
          if (System.currentTimeMillis() > deadline) {
            throw new IllegalStateException("stream " + options.getAlertStream() + " is not ACTIVE after 30 s");
          }
          Thread.sleep(50);
        }
        out.printf("created stream %s for the alerts%n", options.getAlertStream());
      }
    }
  }

  @Override
  public Optional<Pipeline> pipeline(FreshetPipelineOptions options) {
    return Optional.of(MotionDetection.create(options.as(MotionDetection.Options.class)));
  }

  @Override
  public void finish(FreshetPipelineOptions given, PrintWriter out) throws Exception {
    MotionDetection.Options options = given.as(MotionDetection.Options.class);
    List<String> alerts;
    try (StreamClients.Lease lease = StreamClients.acquire(options.getEndpoint())) {
      alerts = ExampleStreams.readAll(lease.client(), options.getAlertStream());
    }
    out.printf("%d alerts in stream %s:%n", alerts.size(), options.getAlertStream());
    alerts.stream().sorted().forEach(out::println);
  }
}
