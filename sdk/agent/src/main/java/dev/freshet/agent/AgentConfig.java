package dev.freshet.agent;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The agent's configuration: the Kinesis Agent's {@code agent.json} keys, read from YAML or JSON
 * (JSON is YAML). Unknown keys are refused by name; keys of the Kinesis Agent that have no effect
 * here (CloudWatch, STS, thread pools) are accepted with a warning. See docs/agent.md.
 *
 * <pre>{@code
 * checkpointFile: /var/lib/freshet-agent/checkpoints
 * kinesis.endpoint: http://localhost:4567       # or file:/var/lib/freshet (the embedded store)
 * flows:
 *   - filePattern: /var/log/httpd/access_log*
 *     kinesisStream: web-logs
 *     dataProcessingOptions:
 *       - optionName: LOGTOJSON
 *         logFormat: COMBINEDAPACHELOG
 * }</pre>
 */
@AutoValue
public abstract class AgentConfig {
  /** Where the agent keeps, per flow and file, how far it has delivered. */
  public abstract Path checkpointFile();

  /** The stream endpoint: {@code file:<data folder>} or {@code http(s)://host:port}. */
  public abstract @Nullable URI kinesisEndpoint();

  /** The Firehose API endpoint of a server, {@code http(s)://host:port}. */
  public abstract @Nullable URI firehoseEndpoint();

  /** Access key for the Firehose API; null for the AWS default chain, else dummy credentials. */
  public abstract @Nullable String awsAccessKeyId();

  public abstract @Nullable String awsSecretAccessKey();

  /** How often the status line is written to stderr; default 10,000 ms, 0 for never. */
  public abstract long statusIntervalMillis();

  public abstract ImmutableList<FlowConfig> flows();

  /** Reads {@code file}; relative paths in it are resolved against its folder. */
  public static AgentConfig load(Path file) throws IOException {
    return load(file, null);
  }

  /**
   * Reads {@code file}, with {@code defaultKinesisEndpoint} (when not null) as the stream endpoint if
   * the file sets none: {@code freshet agent} passes its {@code --data-dir} store.
   */
  public static AgentConfig load(Path file, @Nullable URI defaultKinesisEndpoint) throws IOException {
    Path absolute = file.toAbsolutePath();
    return ConfigParser.parse(Files.readString(absolute), absolute.getParent(), absolute.toString(),
        defaultKinesisEndpoint);
  }

  /**
   * Parses YAML or JSON {@code text}; relative paths in it are resolved against {@code baseDir}.
   *
   * @throws IllegalArgumentException naming the source, the key and what is wrong with it
   */
  public static AgentConfig parse(String text, Path baseDir, String source) {
    return ConfigParser.parse(text, baseDir, source, null);
  }

  public static Builder builder(Path checkpointFile) {
    return new AutoValue_AgentConfig.Builder()
        .setCheckpointFile(checkpointFile)
        .setKinesisEndpoint(null)
        .setFirehoseEndpoint(null)
        .setAwsAccessKeyId(null)
        .setAwsSecretAccessKey(null)
        .setStatusIntervalMillis(10_000);
  }

  /** Builder for {@link AgentConfig}; {@code build()} checks the flows against the endpoints. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setCheckpointFile(Path value);

    public abstract Builder setKinesisEndpoint(@Nullable URI value);

    public abstract Builder setFirehoseEndpoint(@Nullable URI value);

    public abstract Builder setAwsAccessKeyId(@Nullable String value);

    public abstract Builder setAwsSecretAccessKey(@Nullable String value);

    public abstract Builder setStatusIntervalMillis(long value);

    public abstract Builder setFlows(List<FlowConfig> value);

    abstract AgentConfig autoBuild();

    public AgentConfig build() {
      AgentConfig c = autoBuild();
      checkArgument(!c.flows().isEmpty(), "flows must list at least one flow");
      checkArgument(c.statusIntervalMillis() >= 0, "statusIntervalMillis must be at least 0, but was: %s",
          c.statusIntervalMillis());
      checkArgument((c.awsAccessKeyId() == null) == (c.awsSecretAccessKey() == null),
          "awsAccessKeyId and awsSecretAccessKey must be given together");
      Set<String> ids = new HashSet<>();
      for (FlowConfig flow : c.flows()) {
        checkArgument(ids.add(flow.id()), "two flows send %s to the same destination", flow.filePattern());
        if (flow.destinationType() == FlowConfig.DestinationType.STREAM) {
          checkArgument(c.kinesisEndpoint() != null,
              "flow %s sends to kinesisStream %s, so kinesis.endpoint must be set (file:<data folder> or http://host:port)",
              flow.filePattern(), flow.destination());
        } else {
          checkArgument(c.firehoseEndpoint() != null,
              "flow %s sends to deliveryStream %s, so firehose.endpoint must be set (http://host:port of a freshet server)",
              flow.filePattern(), flow.destination());
        }
      }
      if (c.firehoseEndpoint() != null) {
        String scheme = c.firehoseEndpoint().getScheme();
        checkArgument("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme),
            "firehose.endpoint must be an http(s) URL, but was: %s", c.firehoseEndpoint());
      }
      return c;
    }
  }
}
