package dev.freshet.examples.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.freshet.examples.ExampleRun;
import dev.freshet.examples.ExampleStreams;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.StreamClients;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * iot-sensors end to end on the Direct runner over the embedded store: the generated readings
 * through the example's SQL (HOP windows) into the stats stream, whose rows are exactly the
 * per-sensor statistics of every 1-minute window starting every 30 s, computed here from the same
 * readings.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SensorStatsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  /** What one window of one sensor should hold. */
  record Expected(long readings, double sum, double max) {}

  @Test
  void everyHopWindowOfEverySensorHasItsCountAverageAndMaximum() throws Exception {
    URI endpoint = StreamClients.endpointOf(dir);
    try (StreamClients.Lease lease = StreamClients.register(endpoint, LocalStreamStore.open(StoreConfig.builder(dir).build()))) {
      String printed = ExampleRun.run("iot-sensors", "--endpoint=" + endpoint, "--sensors=3", "--minutes=3",
          "--intervalSeconds=5", "--seed=7");

      List<SensorReading> readings = SensorReadingGenerator.readings(7, 3, Instant.parse("2026-01-01T10:00:00Z"),
          Duration.ofMinutes(3), Duration.ofSeconds(5));
      assertThat(readings).hasSize(3 * 36);
      // Each reading is in the two windows [s, s + 60 s) with s a multiple of 30 s.
      Map<String, Expected> expected = new TreeMap<>();
      for (SensorReading reading : readings) {
        long epoch = reading.eventTime().getEpochSecond();
        for (long start = epoch - epoch % 30; start > epoch - 60; start -= 30) {
          expected.merge(reading.sensorId() + " " + Instant.ofEpochSecond(start),
              new Expected(1, reading.temperature(), reading.temperature()),
              (a, b) -> new Expected(a.readings() + b.readings(), a.sum() + b.sum(), Math.max(a.max(), b.max())));
        }
      }
      // 3 minutes of readings: 7 windows from 09:59:30 to 10:02:30, per sensor.
      assertThat(expected).hasSize(3 * 7);

      List<String> records = ExampleStreams.readAll(lease.client(), SensorStats.STATS);
      Map<String, JsonNode> actual = new TreeMap<>();
      for (String record : records) {
        JsonNode row = JSON.readTree(record);
        String key = row.path("sensor_id").asText() + " " + Instant.parse(row.path("window_start").asText());
        assertThat(actual.put(key, row)).as("one row per sensor and window: " + key).isNull();
      }
      assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
      expected.forEach((key, want) -> {
        JsonNode row = actual.get(key);
        assertThat(row.path("readings").asLong()).as(key).isEqualTo(want.readings());
        assertThat(row.path("max_temperature").asDouble()).as(key).isEqualTo(want.max());
        // Beam SQL's AVG of a DOUBLE comes out rounded to 8 decimals.
        assertThat(row.path("avg_temperature").asDouble()).as(key).isCloseTo(want.sum() / want.readings(), within(1e-8));
      });

      List<String> lines = new ArrayList<>(printed.lines().toList());
      assertThat(lines.get(0)).isEqualTo("wrote 108 readings of 3 sensors (2026-01-01T10:00:00Z to "
          + "2026-01-01T10:02:55Z) to stream sensor-readings");
      assertThat(lines.get(1)).isEqualTo("per sensor and 1-minute window, every 30 s (21 records in stream sensor-stats):");
      Expected first = expected.get("sensor-01 2026-01-01T09:59:30Z");
      assertThat(lines.get(2)).isEqualTo(String.format(java.util.Locale.ROOT,
          "09:59:30-10:00:30  sensor-01   6 readings  avg %5.2f °C  max %5.1f °C", first.sum() / 6, first.max()));
      assertThat(lines).hasSize(2 + 21);
    }
  }
}
