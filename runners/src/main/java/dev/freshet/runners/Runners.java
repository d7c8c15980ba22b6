package dev.freshet.runners;

import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Parses {@link FreshetPipelineOptions} from command-line arguments, once, at the edge.
 *
 * <pre>{@code
 * FreshetPipelineOptions options = Runners.configure(args);   // --runner=flink --flinkMaster=localhost:8081 ...
 * Pipeline pipeline = Pipeline.create(options);
 * pipeline.apply(StreamIO.read().withStream("clicks").withEndpoint(options.getEndpoint()));
 * }</pre>
 *
 * <p>Beyond Beam's own parsing and validation this normalises the friendly values ({@code
 * --checkpointingMode=exactly-once}, {@code --stateBackend=hashmap}) and fills in a checkpoint
 * folder for a state backend when none was given. Flink switches to streaming mode by itself when
 * the pipeline has an unbounded source (Beam's FlinkRunner checks), so {@code --streaming} is only
 * needed to force it for a bounded pipeline.
 */
public final class Runners {
  private Runners() {}

  /**
   * Options for a pipeline with Beam's defaults for each runner: on the Direct runner every element
   * is checked for mutation and encodability, which is what tests want.
   *
   * @throws IllegalArgumentException naming the flag when a value is not allowed
   */
  public static FreshetPipelineOptions configure(String... args) {
    FreshetPipelineOptions options =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(FreshetPipelineOptions.class);
    normaliseEndpoint(options);
    normaliseCheckpointingMode(options);
    normaliseStateBackend(options);
    return options;
  }

  /**
   * Options for the examples, tuned for speed on the Direct runner unless the arguments say
   * otherwise: {@code --enforceImmutability=false} and {@code --enforceEncodability=false} (these
   * checks copy and encode every element, several times slower; tests keep them on) and {@code
   * --targetParallelism} = the number of cores, at least 2 (Beam's default is at least 3 threads,
   * which on a 2-core machine only adds contention). Flink options are left as given.
   */
  public static FreshetPipelineOptions forExamples(String... args) {
    FreshetPipelineOptions options = configure(args);
    if (isDirect(options)) {
      DirectOptions direct = options.as(DirectOptions.class);
      if (!given(args, "enforceImmutability")) {
        direct.setEnforceImmutability(false);
      }
      if (!given(args, "enforceEncodability")) {
        direct.setEnforceEncodability(false);
      }
      if (!given(args, "targetParallelism")) {
        direct.setTargetParallelism(Math.max(2, Runtime.getRuntime().availableProcessors()));
      }
    }
    return options;
  }

  /** Whether the options select the Direct runner. */
  public static boolean isDirect(FreshetPipelineOptions options) {
    return DirectRunner.class.isAssignableFrom(options.getRunner());
  }

  /** Whether the options select Beam's Flink runner (in this JVM or on a cluster). */
  public static boolean isFlink(FreshetPipelineOptions options) {
    return FlinkRunner.class.isAssignableFrom(options.getRunner());
  }

  /**
   * No endpoint means {@link FreshetPipelineOptions#DEFAULT_ENDPOINT}. A relative {@code file:./dir} endpoint becomes absolute here, against this process's working
   * directory: the store needs a path, and a pipeline's workers may run elsewhere.
   */
  private static void normaliseEndpoint(FreshetPipelineOptions options) {
    if (options.getEndpoint() == null) {
      options.setEndpoint(URI.create(FreshetPipelineOptions.DEFAULT_ENDPOINT));
    }
    URI endpoint = options.getEndpoint();
    if ("file".equalsIgnoreCase(endpoint.getScheme())) {
      URI folder = dataFolder(endpoint).toUri();
      String query = queryOf(endpoint);
      options.setEndpoint(query == null ? folder : URI.create(folder + "?" + query));
    }
  }

  private static String queryOf(URI endpoint) {
    if (!endpoint.isOpaque()) {
      return endpoint.getRawQuery();
    }
    String part = endpoint.getRawSchemeSpecificPart();
    int question = part.indexOf('?');
    return question < 0 ? null : part.substring(question + 1);
  }

  private static void normaliseCheckpointingMode(FreshetPipelineOptions options) {
    String mode = options.getCheckpointingMode();
    String normalised = mode.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    if (!normalised.equals("EXACTLY_ONCE") && !normalised.equals("AT_LEAST_ONCE")) {
      throw new IllegalArgumentException(
          "checkpointingMode must be exactly-once or at-least-once, but was: " + mode);
    }
    options.setCheckpointingMode(normalised);
  }

  private static void normaliseStateBackend(FreshetPipelineOptions options) {
    String backend = options.getStateBackend();
    if (backend == null) {
      return; // the cluster's flink-conf.yaml decides
    }
    // Beam calls the heap backend "filesystem" (heap state, checkpoints to files); Flink now
    // calls it "hashmap". Accept both, hand Beam its name.
    String normalised =
        switch (backend.trim().toLowerCase(Locale.ROOT)) {
          case "hashmap", "filesystem" -> "filesystem";
          case "rocksdb" -> "rocksdb";
          default -> throw new IllegalArgumentException(
              "stateBackend must be hashmap or rocksdb, but was: " + backend);
        };
    options.setStateBackend(normalised);
    if (options.getStateBackendStoragePath() == null) {
      options.setStateBackendStoragePath(defaultCheckpointFolder(options.getEndpoint()));
    }
  }

  /** Checkpoints beside the embedded store when there is one; otherwise the user must say where. */
  private static String defaultCheckpointFolder(URI endpoint) {
    if (!"file".equalsIgnoreCase(endpoint.getScheme())) {
      throw new IllegalArgumentException(
          "stateBackendStoragePath is required with stateBackend when the endpoint is not a file: "
              + "folder, but the endpoint was: " + endpoint);
    }
    return dataFolder(endpoint).resolve("flink").resolve("checkpoints").toUri().toString();
  }

  /**
   * The folder of a {@code file:} endpoint. Both {@code file:///abs/dir} and the relative {@code
   * file:./dir} (an opaque URI, resolved against the working directory) are accepted.
   */
  public static Path dataFolder(URI endpoint) {
    if (!"file".equalsIgnoreCase(endpoint.getScheme())) {
      throw new IllegalArgumentException("not a file: endpoint: " + endpoint);
    }
    String path = endpoint.isOpaque() ? endpoint.getSchemeSpecificPart() : endpoint.getPath();
    int question = path.indexOf('?');
    if (question >= 0) {
      path = path.substring(0, question);
    }
    return Path.of(path).toAbsolutePath().normalize();
  }

  private static boolean given(String[] args, String name) {
    return Arrays.stream(args)
        .anyMatch(arg -> arg.equals("--" + name) || arg.startsWith("--" + name + "="));
  }
}
