package dev.freshet.runners;

import java.net.URI;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.Description;

/**
 * The options of every Freshet pipeline: which runner, where the streams are, and how Flink
 * checkpoints. Parse them with {@link Runners#configure(String...)}, which also turns friendly
 * values into what the runners expect.
 *
 * <table>
 *   <caption>The flags</caption>
 *   <tr><th>flag</th><th>values</th><th>default</th></tr>
 *   <tr><td>{@code --runner}</td><td>{@code direct}, {@code flink} (any case; or a runner class)</td>
 *       <td>direct</td></tr>
 *   <tr><td>{@code --endpoint}</td><td>{@code file:DIR} (embedded store), {@code http(s)://host:port}
 *       (a {@code freshet server} or any Kinesis endpoint)</td><td>{@code file:./freshet-data}</td></tr>
 *   <tr><td>{@code --flinkMaster}</td><td>{@code [local]} (Flink in this JVM), {@code host:port}
 *       (a cluster's REST address, e.g. {@code localhost:8081})</td>
 *       <td>{@code [auto]}: [local] from a main method</td></tr>
 *   <tr><td>{@code --parallelism}</td><td>1 or more</td><td>the cluster's default</td></tr>
 *   <tr><td>{@code --checkpointingInterval}</td><td>milliseconds; -1 disables</td><td>-1</td></tr>
 *   <tr><td>{@code --checkpointingMode}</td><td>{@code exactly-once}, {@code at-least-once}</td>
 *       <td>exactly-once</td></tr>
 *   <tr><td>{@code --stateBackend}</td><td>{@code hashmap}, {@code rocksdb}</td>
 *       <td>the cluster's (hashmap)</td></tr>
 *   <tr><td>{@code --stateBackendStoragePath}</td><td>a folder URI for checkpoints</td>
 *       <td>{@code flink/checkpoints} in a {@code file:} endpoint's folder</td></tr>
 *   <tr><td>{@code --savepointPath}</td><td>a savepoint to resume from</td><td>none</td></tr>
 * </table>
 *
 * <p>Why this extends {@link FlinkPipelineOptions} rather than mapping onto it: Beam's Flink
 * runner reads its settings from {@code FlinkPipelineOptions} by property name, so declaring our
 * own {@code --parallelism} or {@code --checkpointingInterval} would only give two names for one
 * property (and Beam rejects same-named properties of different types). Extending it makes every
 * Flink flag, its documentation in {@code --help}, and its validation available unchanged; the
 * only cost is that Direct-runner users see Flink flags they can ignore. Direct-runner flags
 * ({@code --targetParallelism}, {@code --enforceImmutability}, ...) are Beam's {@code
 * DirectOptions}, registered because the Direct runner is on the classpath.
 *
 * <p>{@code --endpoint} carries no Beam {@code @Default}: Beam's {@code AwsOptions} (on the
 * classpath wherever KinesisIO is) declares a property of the same name without one, and Beam
 * refuses two declarations of one property with different defaults. {@link Runners#configure}
 * fills in {@link #DEFAULT_ENDPOINT} instead.
 */
public interface FreshetPipelineOptions extends FlinkPipelineOptions {

  /** The default stream endpoint: the embedded store in the working directory's data folder. */
  String DEFAULT_ENDPOINT = "file:./freshet-data";

  @Description(
      "Where the streams are: file:DIR for the embedded store in DIR, http(s)://host:port for a "
          + "freshet server or any Kinesis endpoint. Default: "
          + DEFAULT_ENDPOINT)
  URI getEndpoint();

  void setEndpoint(URI value);
}
