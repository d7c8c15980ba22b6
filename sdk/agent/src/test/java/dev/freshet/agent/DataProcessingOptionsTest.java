package dev.freshet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Each data processing option on real log lines, configured as in agent.json. */
class DataProcessingOptionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static DataProcessingOption option(String json) throws Exception {
    return ConfigParser.option(JSON.readTree(json), "dataProcessingOptions[0]");
  }

  private static JsonNode apply(String optionJson, String line) throws Exception {
    String out = option(optionJson).apply(line);
    assertThat(out).as("output of %s", line).isNotNull().endsWith("\n");
    assertThat(out.indexOf('\n')).as("one line").isEqualTo(out.length() - 1);
    return JSON.readTree(out);
  }

  @Test
  void commonApacheLog() throws Exception {
    JsonNode r = apply("{\"optionName\":\"LOGTOJSON\",\"logFormat\":\"COMMONAPACHELOG\"}",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326\n");
    assertThat(JSON.writeValueAsString(r)).isEqualTo("{\"host\":\"127.0.0.1\",\"ident\":null,\"authuser\":\"frank\","
        + "\"datetime\":\"10/Oct/2000:13:55:36 -0700\",\"request\":\"GET /apache_pb.gif HTTP/1.0\","
        + "\"response\":\"200\",\"bytes\":\"2326\"}");
  }

  @Test
  void combinedApacheLog() throws Exception {
    JsonNode r = apply("{\"optionName\":\"LOGTOJSON\",\"logFormat\":\"COMBINEDAPACHELOG\"}",
        "192.168.1.20 - - [28/Jul/2006:10:27:10 -0300] \"GET /cgi-bin/try/ HTTP/1.0\" 200 3395 "
            + "\"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I ;Nav)\"\n");
    assertThat(r.get("host").asText()).isEqualTo("192.168.1.20");
    assertThat(r.get("authuser").isNull()).isTrue();
    assertThat(r.get("request").asText()).isEqualTo("GET /cgi-bin/try/ HTTP/1.0");
    assertThat(r.get("bytes").asText()).isEqualTo("3395");
    assertThat(r.get("referer").asText()).isEqualTo("http://www.example.com/start.html");
    assertThat(r.get("agent").asText()).isEqualTo("Mozilla/4.08 [en] (Win98; I ;Nav)");
  }

  @Test
  void apacheErrorLog() throws Exception {
    JsonNode r = apply("{\"optionName\":\"LOGTOJSON\",\"logFormat\":\"APACHEERRORLOG\"}",
        "[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] "
            + "File does not exist: /usr/local/apache2/htdocs/favicon.ico\n");
    assertThat(r.get("timestamp").asText()).isEqualTo("Fri Sep 09 10:42:29.902022 2011");
    assertThat(r.get("module").asText()).isEqualTo("core");
    assertThat(r.get("severity").asText()).isEqualTo("error");
    assertThat(r.get("processid").asText()).isEqualTo("35708");
    assertThat(r.get("threadid").asText()).isEqualTo("4328636416");
    assertThat(r.get("client").asText()).isEqualTo("72.15.99.187");
    assertThat(r.get("message").asText()).isEqualTo("File does not exist: /usr/local/apache2/htdocs/favicon.ico");

    JsonNode old = apply("{\"optionName\":\"LOGTOJSON\",\"logFormat\":\"APACHEERRORLOG\"}",
        "[Wed Oct 11 14:32:52 2000] [error] [pid 1234] [client 127.0.0.1] client denied by server configuration\n");
    assertThat(old.get("module").isNull()).isTrue();
    assertThat(old.get("severity").asText()).isEqualTo("error");
    assertThat(old.get("threadid").isNull()).isTrue();
  }

  @Test
  void syslog() throws Exception {
    JsonNode r = apply("{\"optionName\":\"LOGTOJSON\",\"logFormat\":\"SYSLOG\"}",
        "Mar 12 12:00:08 server2 rcd[308]: Loaded 12 packages in 'ximian-red-carpet|351' (0.01878 seconds)\n");
    assertThat(JSON.writeValueAsString(r)).isEqualTo("{\"timestamp\":\"Mar 12 12:00:08\",\"hostname\":\"server2\","
        + "\"program\":\"rcd\",\"processid\":\"308\","
        + "\"message\":\"Loaded 12 packages in 'ximian-red-carpet|351' (0.01878 seconds)\"}");
    JsonNode noPid = apply("{\"optionName\":\"LOGTOJSON\",\"logFormat\":\"SYSLOG\"}",
        "Dec  2 12:01:02 ip-10-0-0-1 kernel: eth0: link up\n");
    assertThat(noPid.get("program").asText()).isEqualTo("kernel");
    assertThat(noPid.get("processid").isNull()).isTrue();
  }

  @Test
  void rfc3339Syslog() throws Exception {
    JsonNode r = apply("{\"optionName\":\"LOGTOJSON\",\"logFormat\":\"RFC3339SYSLOG\"}",
        "2024-05-01T10:00:00.123+02:00 web-1 sshd[4711]: Accepted publickey for deploy from 10.0.0.5 port 52144 ssh2\n");
    assertThat(r.get("timestamp").asText()).isEqualTo("2024-05-01T10:00:00.123+02:00");
    assertThat(r.get("hostname").asText()).isEqualTo("web-1");
    assertThat(r.get("program").asText()).isEqualTo("sshd");
    assertThat(r.get("processid").asText()).isEqualTo("4711");
    assertThat(r.get("message").asText()).isEqualTo("Accepted publickey for deploy from 10.0.0.5 port 52144 ssh2");
  }

  @Test
  void aLineThatDoesNotMatchIsDropped() throws Exception {
    DataProcessingOption common = option("{\"optionName\":\"LOGTOJSON\",\"logFormat\":\"COMMONAPACHELOG\"}");
    assertThat(common.apply("this is not an access log line\n")).isNull();
    assertThat(option("{\"optionName\":\"LOGTOJSON\",\"logFormat\":\"SYSLOG\"}")
        .apply("2024-05-01T10:00:00Z web-1 sshd[1]: rfc3339 is not BSD syslog\n")).isNull();
  }

  @Test
  void customFieldNamesRenameTheFormatsFields() throws Exception {
    JsonNode r = apply("{\"optionName\":\"LOGTOJSON\",\"logFormat\":\"SYSLOG\","
        + "\"customFieldNames\":[\"ts\",\"host\",\"app\",\"pid\",\"msg\"]}", "Mar 12 12:00:08 server2 rcd[308]: hi\n");
    assertThat(r.fieldNames()).toIterable().containsExactly("ts", "host", "app", "pid", "msg");
    assertThatThrownBy(() -> option("{\"optionName\":\"LOGTOJSON\",\"logFormat\":\"SYSLOG\",\"customFieldNames\":[\"a\"]}"))
        .hasMessageContaining("SYSLOG has 5 fields").hasMessageContaining("1 customFieldNames");
  }

  @Test
  void matchPatternWithCustomFieldNames() throws Exception {
    String opt = "{\"optionName\":\"LOGTOJSON\",\"logFormat\":\"COMMONAPACHELOG\","
        + "\"matchPattern\":\"^([\\\\w.]+) (\\\\w+) (\\\\d+)$\",\"customFieldNames\":[\"host\",\"verb\",\"status\"]}";
    JsonNode r = apply(opt, "10.1.1.1 GET 404\n");
    assertThat(JSON.writeValueAsString(r)).isEqualTo("{\"host\":\"10.1.1.1\",\"verb\":\"GET\",\"status\":\"404\"}");
    assertThatThrownBy(() -> option("{\"optionName\":\"LOGTOJSON\",\"logFormat\":\"SYSLOG\",\"matchPattern\":\"(a)(b)\"}"))
        .hasMessageContaining("customFieldNames must be given with matchPattern");
    assertThatThrownBy(() -> option("{\"optionName\":\"LOGTOJSON\",\"logFormat\":\"SYSLOG\",\"matchPattern\":\"(a)(b)\","
        + "\"customFieldNames\":[\"x\"]}")).hasMessageContaining("2 capturing groups but 1 customFieldNames");
  }

  @Test
  void csvToJson() throws Exception {
    JsonNode r = apply("{\"optionName\":\"CSVTOJSON\",\"customFieldNames\":[\"id\",\"name\",\"city\"]}",
        "17,Ada Lovelace,London\n");
    assertThat(JSON.writeValueAsString(r)).isEqualTo("{\"id\":\"17\",\"name\":\"Ada Lovelace\",\"city\":\"London\"}");
    JsonNode tabs = apply("{\"optionName\":\"CSVTOJSON\",\"customFieldNames\":[\"a\",\"b\",\"c\"],\"delimiter\":\"\\\\t\"}",
        "x\ty\n");
    assertThat(JSON.writeValueAsString(tabs)).isEqualTo("{\"a\":\"x\",\"b\":\"y\",\"c\":null}");
    assertThatThrownBy(() -> option("{\"optionName\":\"CSVTOJSON\"}")).hasMessageContaining("CSVTOJSON needs customFieldNames");
  }

  @Test
  void singleLine() throws Exception {
    String record = "java.lang.IllegalStateException: boom\n    at a.B.c(B.java:1)\n    at a.B.d(B.java:2)\n";
    assertThat(option("{\"optionName\":\"SINGLELINE\"}").apply(record))
        .isEqualTo("java.lang.IllegalStateException: boomat a.B.c(B.java:1)at a.B.d(B.java:2)\n");
    assertThat(option("{\"optionName\":\"SINGLELINE\",\"parseOptions\":[\"ESCAPE_NEW_LINE\",\"NO_TRIM\"]}").apply(record))
        .isEqualTo("java.lang.IllegalStateException: boom\\n    at a.B.c(B.java:1)\\n    at a.B.d(B.java:2)\n");
  }

  @Test
  void unknownOptionsAreNamed() {
    assertThatThrownBy(() -> option("{\"optionName\":\"ADDEOL\"}"))
        .hasMessageContaining("optionName must be one of SINGLELINE, CSVTOJSON, LOGTOJSON, but was: 'ADDEOL'");
    assertThatThrownBy(() -> option("{\"optionName\":\"LOGTOJSON\",\"logFormat\":\"NGINX\"}"))
        .hasMessageContaining("logFormat must be one of").hasMessageContaining("'NGINX'");
    assertThatThrownBy(() -> option("{\"optionName\":\"CSVTOJSON\",\"customFieldNames\":[\"a\"],\"delimter\":\";\"}"))
        .hasMessageContaining("unknown key 'delimter'");
  }
}
