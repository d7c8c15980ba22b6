package dev.freshet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigParserTest {
  private static final Path BASE = Path.of("/etc/freshet");

  private static AgentConfig parse(String text) {
    return AgentConfig.parse(text, BASE, "agent.yaml");
  }

  @Test
  void theKinesisAgentsOwnExampleParsesAsJson() {
    AgentConfig c = parse("{\n"
        + "  \"checkpointFile\": \"/tmp/aws-kinesis-agent-checkpoints/main.log\",\n"
        + "  \"cloudwatch.emitMetrics\": true,\n"
        + "  \"kinesis.endpoint\": \"http://localhost:4567\",\n"
        + "  \"firehose.endpoint\": \"http://localhost:4567\",\n"
        + "  \"flows\": [\n"
        + "    {\"filePattern\": \"/tmp/aws-kinesis-agent-test1.log*\", \"initialPosition\": \"END_OF_FILE\",\n"
        + "     \"kinesisStream\": \"aws-kinesis-agent-test1\",\n"
        + "     \"dataProcessingOptions\": [{\"optionName\": \"CSVTOJSON\", \"customFieldNames\": [\"field1\", \"field2\"],"
        + " \"delimiter\": \"\\\\t\"}]},\n"
        + "    {\"filePattern\": \"/tmp/app.log*\", \"initialPosition\": \"START_OF_FILE\", \"deliveryStream\": \"d1\",\n"
        + "     \"maxBufferAgeMillis\": 2000, \"multiLineStartPattern\": \"^\\\\[\", \"skipHeaderLines\": 2}\n"
        + "  ]\n"
        + "}\n");
    assertThat(c.checkpointFile()).isEqualTo(Path.of("/tmp/aws-kinesis-agent-checkpoints/main.log"));
    assertThat(c.kinesisEndpoint()).isEqualTo(URI.create("http://localhost:4567"));
    assertThat(c.flows()).hasSize(2);
    FlowConfig stream = c.flows().get(0);
    assertThat(stream.id()).isEqualTo("kinesis:aws-kinesis-agent-test1:/tmp/aws-kinesis-agent-test1.log*");
    assertThat(stream.initialPosition()).isEqualTo(FlowConfig.InitialPosition.END_OF_FILE);
    assertThat(stream.maxBufferSizeBytes()).isEqualTo(5 * 1024 * 1024);
    assertThat(stream.dataProcessingOptions()).extracting(DataProcessingOption::optionName).containsExactly("CSVTOJSON");
    FlowConfig delivery = c.flows().get(1);
    assertThat(delivery.destinationType()).isEqualTo(FlowConfig.DestinationType.DELIVERY_STREAM);
    assertThat(delivery.maxBufferSizeBytes()).isEqualTo(4 * 1024 * 1024);
    assertThat(delivery.maxBufferAgeMillis()).isEqualTo(2000);
    assertThat(delivery.multiLineStartPattern().pattern()).isEqualTo("^\\[");
    assertThat(delivery.skipHeaderLines()).isEqualTo(2);
    assertThat(delivery.initialPosition()).isEqualTo(FlowConfig.InitialPosition.START_OF_FILE);
  }

  @Test
  void yamlWithRelativePathsAndDefaults() {
    AgentConfig c = parse("kinesis.endpoint: file:data?durability=os\n"
        + "flows:\n"
        + "  - filePattern: logs/*.log\n"
        + "    kinesisStream: logs\n");
    assertThat(c.checkpointFile()).isEqualTo(Path.of("/etc/freshet/agent-checkpoints.json"));
    assertThat(c.kinesisEndpoint()).isEqualTo(URI.create("file:/etc/freshet/data?durability=os"));
    FlowConfig f = c.flows().get(0);
    assertThat(f.filePattern()).isEqualTo("/etc/freshet/logs/*.log");
    assertThat(f.initialPosition()).isEqualTo(FlowConfig.InitialPosition.END_OF_FILE);
    assertThat(f.partitionKeyOption()).isEqualTo(FlowConfig.PartitionKeyOption.RANDOM);
    assertThat(f.maxBufferAgeMillis()).isEqualTo(60_000);
    assertThat(f.maxBufferSizeRecords()).isEqualTo(500);
    assertThat(f.truncatedRecordTerminator()).isEqualTo("\n");
    assertThat(c.statusIntervalMillis()).isEqualTo(10_000);
  }

  @Test
  void badSettingsAreNamed() {
    String flow = "flows:\n  - filePattern: /x/*.log\n    kinesisStream: s\n";
    assertThatThrownBy(() -> parse(flow)).hasMessageContaining("kinesis.endpoint must be set");
    String head = "kinesis.endpoint: http://localhost:4567\n" + flow;
    assertThatThrownBy(() -> parse(head + "    maxBufferSizeRecords: 501\n"))
        .hasMessageContaining("maxBufferSizeRecords must be between 1 and 500, but was: 501");
    assertThatThrownBy(() -> parse(head + "    maxBufferAgeMillis: soon\n"))
        .hasMessageContaining("maxBufferAgeMillis must be a whole number, but was: \"soon\"");
    assertThatThrownBy(() -> parse(head + "    initialPosition: MIDDLE\n"))
        .hasMessageContaining("initialPosition must be one of [START_OF_FILE, END_OF_FILE], but was: 'MIDDLE'");
    assertThatThrownBy(() -> parse(head + "    multiLineStartPattern: '[unclosed'\n"))
        .hasMessageContaining("multiLineStartPattern is not a valid regular expression");
    assertThatThrownBy(() -> parse(head + "    deliveryStream: d\n"))
        .hasMessageContaining("exactly one of kinesisStream and deliveryStream");
    assertThatThrownBy(() -> parse(head + "    filePatern: /y\n"))
        .hasMessageContaining("flows[0]: unknown key 'filePatern'");
    assertThatThrownBy(() -> parse(head.replace("/x/*.log", "/var/*/app.log")))
        .hasMessageContaining("filePattern must be a path whose file name alone may hold wildcards, but was: /var/*/app.log");
    assertThatThrownBy(() -> parse("kinesis.endpont: x\n" + flow)).hasMessageContaining("unknown key 'kinesis.endpont'");
    assertThatThrownBy(() -> parse("flows: [\n")).hasMessageContaining("agent.yaml is not valid YAML or JSON");
    assertThatThrownBy(() -> parse("checkpointFile: /x\n")).hasMessageContaining("flows must be a list of at least one flow");
  }
}
