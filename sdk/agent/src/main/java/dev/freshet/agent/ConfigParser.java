package dev.freshet.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.common.collect.ImmutableSet;
import dev.freshet.agent.FlowConfig.DestinationType;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the agent.json keys from a YAML or JSON tree, once, into {@link AgentConfig}. */
final class ConfigParser {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigParser.class);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final Set<String> AGENT_KEYS = ImmutableSet.of("checkpointFile", "kinesis.endpoint",
      "firehose.endpoint", "awsAccessKeyId", "awsSecretAccessKey", "statusIntervalMillis", "flows");
  /** The Kinesis Agent's keys that mean nothing for a local agent. */
  private static final Set<String> AGENT_KEYS_WITHOUT_EFFECT = ImmutableSet.of("cloudwatch.emitMetrics",
      "cloudwatch.endpoint", "cloudwatch.tags", "sts.endpoint", "assumeRoleARN", "assumeRoleExternalId",
      "awsSessionToken", "maxSendingThreads", "maxSendingThreadsPerCore", "sendingThreadsKeepAliveMillis",
      "sendingThreadsMaxQueueSize", "shutdownTimeoutMillis", "log.emitMetrics", "log.emitInternalMetrics",
      "userDefinedCredentialsProvider.classname", "userDefinedCredentialsProvider.location");
  private static final Set<String> FLOW_KEYS = ImmutableSet.of("filePattern", "kinesisStream", "deliveryStream",
      "initialPosition", "partitionKeyOption", "maxBufferAgeMillis", "maxBufferSizeRecords", "maxBufferSizeBytes",
      "minTimeBetweenFilePollsMillis", "multiLineStartPattern", "skipHeaderLines", "truncatedRecordTerminator",
      "retryInitialBackoffMillis", "retryMaxBackoffMillis", "dataProcessingOptions");
  private static final Set<String> FLOW_KEYS_WITHOUT_EFFECT = ImmutableSet.of("maxTimeBetweenFileTrackerRefreshMillis",
      "publishQueueCapacity", "waitOnFullPublishQueueMillis", "waitOnEmptyPublishQueueMillis",
      "waitOnFullRetryQueueMillis", "kinesisStreamRegion", "deliveryStreamRegion");

  private ConfigParser() {}

  static AgentConfig parse(String text, Path baseDir, String source, @Nullable URI defaultKinesisEndpoint) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + " is not valid YAML or JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr()), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(source + " must hold an object with the key flows");
    }
    Reader agent = new Reader(root, source, AGENT_KEYS, AGENT_KEYS_WITHOUT_EFFECT);
    try {
      AgentConfig.Builder b = AgentConfig.builder(baseDir.resolve(agent.text("checkpointFile", "agent-checkpoints.json"))
          .normalize());
      URI kinesis = agent.uri("kinesis.endpoint", baseDir);
      b.setKinesisEndpoint(kinesis != null ? kinesis : defaultKinesisEndpoint);
      b.setFirehoseEndpoint(agent.uri("firehose.endpoint", baseDir));
      b.setAwsAccessKeyId(agent.text("awsAccessKeyId", null));
      b.setAwsSecretAccessKey(agent.text("awsSecretAccessKey", null));
      b.setStatusIntervalMillis(agent.number("statusIntervalMillis", 10_000));
      JsonNode flows = root.get("flows");
      if (flows == null || !flows.isArray() || flows.isEmpty()) {
        throw new IllegalArgumentException(source + ": flows must be a list of at least one flow");
      }
      List<FlowConfig> list = new ArrayList<>();
      for (int i = 0; i < flows.size(); i++) {
        list.add(flow(flows.get(i), baseDir, source + ": flows[" + i + "]"));
      }
      b.setFlows(list);
      return b.build();
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(source)) {
        throw e;
      }
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private static FlowConfig flow(JsonNode node, Path baseDir, String where) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + " must be an object");
    }
    Reader r = new Reader(node, where, FLOW_KEYS, FLOW_KEYS_WITHOUT_EFFECT);
    String pattern = r.text("filePattern", null);
    if (pattern == null || pattern.isEmpty()) {
      throw new IllegalArgumentException(where + ": filePattern is required");
    }
    pattern = baseDir.resolve(pattern).normalize().toString();
    String stream = r.text("kinesisStream", null);
    String delivery = r.text("deliveryStream", null);
    if ((stream == null) == (delivery == null)) {
      throw new IllegalArgumentException(where + ": exactly one of kinesisStream and deliveryStream is required");
    }
    DestinationType type = stream != null ? DestinationType.STREAM : DestinationType.DELIVERY_STREAM;
    FlowConfig.Builder b = FlowConfig.builder(pattern, type, stream != null ? stream : delivery);
    try {
      b.setInitialPosition(r.choice("initialPosition", FlowConfig.InitialPosition.class, FlowConfig.InitialPosition.END_OF_FILE));
      if (node.has("partitionKeyOption") && type == DestinationType.DELIVERY_STREAM) {
        throw new IllegalArgumentException("partitionKeyOption applies to kinesisStream flows only");
      }
      b.setPartitionKeyOption(r.choice("partitionKeyOption", FlowConfig.PartitionKeyOption.class,
          FlowConfig.PartitionKeyOption.RANDOM));
      FlowConfig defaults = FlowConfig.builder(pattern, type, "x").build();
      b.setMaxBufferAgeMillis(r.number("maxBufferAgeMillis", defaults.maxBufferAgeMillis()));
      b.setMaxBufferSizeRecords((int) r.number("maxBufferSizeRecords", defaults.maxBufferSizeRecords()));
      b.setMaxBufferSizeBytes((int) r.number("maxBufferSizeBytes", defaults.maxBufferSizeBytes()));
      b.setMinTimeBetweenFilePollsMillis(r.number("minTimeBetweenFilePollsMillis", defaults.minTimeBetweenFilePollsMillis()));
      String start = r.text("multiLineStartPattern", null);
      b.setMultiLineStartPattern(start == null ? null : regex("multiLineStartPattern", start));
      b.setSkipHeaderLines((int) r.number("skipHeaderLines", 0));
      b.setTruncatedRecordTerminator(r.text("truncatedRecordTerminator", "\n"));
      b.setRetryInitialBackoffMillis(r.number("retryInitialBackoffMillis", defaults.retryInitialBackoffMillis()));
      b.setRetryMaxBackoffMillis(r.number("retryMaxBackoffMillis", defaults.retryMaxBackoffMillis()));
      List<DataProcessingOption> options = new ArrayList<>();
      JsonNode list = node.get("dataProcessingOptions");
      if (list != null && !list.isNull()) {
        if (!list.isArray()) {
          throw new IllegalArgumentException("dataProcessingOptions must be a list");
        }
        for (int i = 0; i < list.size(); i++) {
          options.add(option(list.get(i), "dataProcessingOptions[" + i + "]"));
        }
      }
      b.setDataProcessingOptions(options);
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + " (" + pattern + "): " + e.getMessage(), e);
    }
  }

  /** One entry of {@code dataProcessingOptions}. */
  static DataProcessingOption option(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + " must be an object with optionName");
    }
    String name = node.path("optionName").asText("");
    switch (name) {
      case "SINGLELINE": {
        Reader r = new Reader(node, where, ImmutableSet.of("optionName", "parseOptions"), ImmutableSet.of());
        List<String> parse = r.texts("parseOptions");
        for (String p : parse) {
          if (!p.equals("NO_TRIM") && !p.equals("ESCAPE_NEW_LINE")) {
            throw new IllegalArgumentException(where + ": parseOptions must hold NO_TRIM or ESCAPE_NEW_LINE, but held: " + p);
          }
        }
        return new SingleLine(!parse.contains("NO_TRIM"), parse.contains("ESCAPE_NEW_LINE"));
      }
      case "CSVTOJSON": {
        Reader r = new Reader(node, where, ImmutableSet.of("optionName", "customFieldNames", "delimiter", "jsonFormat"),
            ImmutableSet.of());
        List<String> fields = r.texts("customFieldNames");
        if (fields.isEmpty()) {
          throw new IllegalArgumentException(where + ": CSVTOJSON needs customFieldNames, a list of at least one name");
        }
        return new CsvToJson(fields, regex(where + ".delimiter", r.text("delimiter", ",")));
      }
      case "LOGTOJSON": {
        Reader r = new Reader(node, where,
            ImmutableSet.of("optionName", "logFormat", "matchPattern", "customFieldNames", "jsonFormat"), ImmutableSet.of());
        LogFormat format = r.choice("logFormat", LogFormat.class, null);
        if (format == null) {
          throw new IllegalArgumentException(where + ": LOGTOJSON needs logFormat, one of "
              + Arrays.toString(LogFormat.values()));
        }
        String match = r.text("matchPattern", null);
        List<String> fields = r.texts("customFieldNames");
        if (match != null) {
          if (fields.isEmpty()) {
            throw new IllegalArgumentException(where + ": customFieldNames must be given with matchPattern");
          }
          Pattern pattern = regex(where + ".matchPattern", match);
          int groups = pattern.matcher("").groupCount();
          if (groups != fields.size()) {
            throw new IllegalArgumentException(where + ": matchPattern has " + groups + " capturing groups but "
                + fields.size() + " customFieldNames are given");
          }
          return new LogToJson(pattern, fields, format.dashIsNull());
        }
        if (!fields.isEmpty() && fields.size() != format.fieldNames().size()) {
          throw new IllegalArgumentException(where + ": " + format + " has " + format.fieldNames().size()
              + " fields " + format.fieldNames() + ", but " + fields.size() + " customFieldNames are given");
        }
        return new LogToJson(format.pattern(), fields.isEmpty() ? format.fieldNames() : fields, format.dashIsNull());
      }
      default:
        throw new IllegalArgumentException(where + ": optionName must be one of SINGLELINE, CSVTOJSON, LOGTOJSON, but was: '"
            + name + "'" + (Set.of("ADDEOL", "ADDBRACKETS", "ADDMETADATA", "ADDEC2METADATA").contains(name)
            ? " (the Kinesis Agent has it; freshet agent does not)" : ""));
    }
  }

  private static Pattern regex(String key, String value) {
    try {
      return Pattern.compile(value);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(key + " is not a valid regular expression: " + e.getDescription()
          + " near index " + e.getIndex() + " in '" + value + "'", e);
    }
  }

  /** Typed reads of one object's keys, each error naming the key. */
  private static final class Reader {
    private final JsonNode node;
    private final String where;

    Reader(JsonNode node, String where, Set<String> known, Set<String> withoutEffect) {
      this.node = node;
      this.where = where;
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (withoutEffect.contains(key)) {
          LOG.warn("{}: {} has no effect in freshet agent; ignored", where, key);
        } else if (!known.contains(key)) {
          throw new IllegalArgumentException(where + ": unknown key '" + key + "'; known keys: " + new TreeSet<>(known));
        }
      }
    }

    @Nullable String text(String key, @Nullable String fallback) {
      JsonNode v = node.get(key);
      if (v == null || v.isNull()) {
        return fallback;
      }
      if (!v.isValueNode()) {
        throw new IllegalArgumentException(where + ": " + key + " must be a string, but was: " + v);
      }
      return v.asText();
    }

    long number(String key, long fallback) {
      JsonNode v = node.get(key);
      if (v == null || v.isNull()) {
        return fallback;
      }
      if (v.isIntegralNumber()) {
        return v.asLong();
      }
      if (v.isTextual()) {
        try {
          return Long.parseLong(v.asText().trim());
        } catch (NumberFormatException e) {
          // falls through to the error below
        }
      }
      throw new IllegalArgumentException(where + ": " + key + " must be a whole number, but was: " + v);
    }

    List<String> texts(String key) {
      JsonNode v = node.get(key);
      List<String> out = new ArrayList<>();
      if (v == null || v.isNull()) {
        return out;
      }
      if (!v.isArray()) {
        throw new IllegalArgumentException(where + ": " + key + " must be a list of strings, but was: " + v);
      }
      for (JsonNode e : v) {
        if (!e.isValueNode() || e.isNull()) {
          throw new IllegalArgumentException(where + ": " + key + " must be a list of strings, but held: " + e);
        }
        out.add(e.asText());
      }
      return out;
    }

    <E extends Enum<E>> @Nullable E choice(String key, Class<E> type, @Nullable E fallback) {
      String v = text(key, null);
      if (v == null) {
        return fallback;
      }
      try {
        return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + key + " must be one of "
            + Arrays.toString(type.getEnumConstants()) + ", but was: '" + v + "'", e);
      }
    }

    @Nullable URI uri(String key, Path baseDir) {
      String v = text(key, null);
      if (v == null || v.isEmpty()) {
        return null;
      }
      try {
        URI uri = new URI(v);
        if ("file".equalsIgnoreCase(uri.getScheme()) && uri.isOpaque()) {
          // file:relative/folder names a folder beside the configuration.
          String[] parts = uri.getSchemeSpecificPart().split("\\?", 2);
          URI folder = baseDir.resolve(parts[0]).normalize().toUri();
          return parts.length == 2 ? URI.create(folder + "?" + parts[1]) : folder;
        }
        if (uri.getScheme() == null) {
          throw new IllegalArgumentException(where + ": " + key + " must be a URL (file:<data folder> or http://host:port), but was: " + v);
        }
        return uri;
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(where + ": " + key + " is not a valid URL: " + e.getMessage(), e);
      }
    }
  }
}
