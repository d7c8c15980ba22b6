package dev.freshet.examples.iot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.examples.ExampleStreams;
import dev.freshet.examples.Examples;
import dev.freshet.examples.GeneratedInputOptions;
import dev.freshet.examples.SqlScripts;
import dev.freshet.runners.FreshetPipelineOptions;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * IoT sensors over HOP windows, in SQL ({@code freshet run iot-sensors}): {@code --sensors}
 * sensors read temperature and humidity every {@code --intervalSeconds} ({@link
 * SensorReadingGenerator}) into the stream {@value #READINGS}; {@code
 * examples/iot-sensors/sensor-stats.sql} computes, per sensor and 1-minute window starting every 30
 * seconds, the number of readings, the average and the highest temperature, and its {@code INSERT
 * INTO} writes them to the stream {@value #STATS}, which is then printed, one line per window and
 * sensor:
 *
 * <pre>
 * 10:00:00-10:01:00  sensor-01  12 readings  avg 21.43 °C  max 22.10 °C
 * </pre>
 *
 * <p>Both streams are recreated by each run.
 */
public final class SensorStats implements Examples.Program {
  /** The stream of readings the script reads. */
  public static final String READINGS = "sensor-readings";
  /** The stream the script's INSERT INTO writes. */
  public static final String STATS = "sensor-stats";
  /** The packed script, {@code examples/iot-sensors/sensor-stats.sql} in the repository. */
  public static final String SCRIPT = "examples/iot-sensors/sensor-stats.sql";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  /** The flags of the example. */
  public interface Options extends GeneratedInputOptions {
    @Description("How many sensors, 1 to 99. Default: 4.")
    @Default.Integer(4)
    int getSensors();

    void setSensors(int value);

    @Description("Seconds between two readings of a sensor, 1 or more. Default: 5.")
    @Default.Integer(5)
    int getIntervalSeconds();

    void setIntervalSeconds(int value);
  }

  /** The readings this example writes for {@code options}, in event-time order. */
  public static List<SensorReading> readings(Options options) {
    if (options.getIntervalSeconds() < 1) {
      throw new IllegalArgumentException("intervalSeconds must be 1 or more, but was: " + options.getIntervalSeconds());
    }
    if (options.getSensors() < 1 || options.getSensors() > 99) {
      throw new IllegalArgumentException("sensors must be between 1 and 99, but was: " + options.getSensors());
    }
    return SensorReadingGenerator.readings(options.getSeed(), options.getSensors(),
        GeneratedInputOptions.startTime(options), Duration.ofMinutes(GeneratedInputOptions.minutes(options)),
        Duration.ofSeconds(options.getIntervalSeconds()));
  }

  @Override
  public void prepare(FreshetPipelineOptions given, PrintWriter out) throws Exception {
    List<SensorReading> readings = readings(given.as(Options.class));
    try (StreamClients.Lease lease = StreamClients.acquire(given.getEndpoint())) {
      StreamClient client = lease.client();
      ExampleStreams.recreate(client, STATS, 1);
      ExampleStreams.recreate(client, READINGS, 2);
      List<PutRecordsEntry> entries = new ArrayList<>();
      for (SensorReading reading : readings) {
        entries.add(PutRecordsEntry.of(reading.sensorId(), reading.toJsonBytes()));
      }
      ExampleStreams.put(client, READINGS, entries);
    }
    out.printf("wrote %,d readings of %d sensors (%s to %s) to stream %s%n", readings.size(),
        given.as(Options.class).getSensors(), readings.get(0).eventTime(),
        readings.get(readings.size() - 1).eventTime(), READINGS);
  }

  @Override
  public Optional<Pipeline> pipeline(FreshetPipelineOptions options) throws IOException {
    return Optional.of(SqlScripts.pipeline(options,
        SqlScripts.load(SCRIPT, options.as(Options.class).getSqlFile())));
  }

  @Override
  public void finish(FreshetPipelineOptions options, PrintWriter out) throws Exception {
    List<String> records;
    try (StreamClients.Lease lease = StreamClients.acquire(options.getEndpoint())) {
      records = ExampleStreams.readAll(lease.client(), STATS);
    }
    out.printf("per sensor and 1-minute window, every 30 s (%d records in stream %s):%n", records.size(), STATS);
    lines(records).forEach(out::println);
  }

  /** The statistics of {@code records} (the stream's JSON), by window start, then sensor. */
  public static List<String> lines(List<String> records) throws IOException {
    List<JsonNode> rows = new ArrayList<>();
    for (String record : records) {
      rows.add(JSON.readTree(record));
    }
    rows.sort(Comparator.comparing((JsonNode row) -> row.path("window_start").asText())
        .thenComparing(row -> row.path("sensor_id").asText()));
    List<String> lines = new ArrayList<>();
    for (JsonNode row : rows) {
      Instant start = Instant.parse(row.path("window_start").asText());
      lines.add(String.format(Locale.ROOT, "%s-%s  %s  %2d readings  avg %5.2f °C  max %5.1f °C",
          TIME.format(start), TIME.format(start.plusSeconds(60)), row.path("sensor_id").asText(),
          row.path("readings").asLong(), row.path("avg_temperature").asDouble(),
          row.path("max_temperature").asDouble()));
    }
    return lines;
  }
}
