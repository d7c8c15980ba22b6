package dev.freshet.examples.iot;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * One reading of a temperature and humidity sensor, written to a stream as one JSON object with
 * the sensor id as partition key: {@code {"sensor_id":"sensor-01","temperature":21.4,
 * "humidity":45.0,"event_time":"2026-01-01T10:00:00Z"}}. Values have one decimal.
 */
public record SensorReading(String sensorId, double temperature, double humidity, Instant eventTime) {
  public SensorReading {
    requireNonNull(sensorId, "sensorId");
    requireNonNull(eventTime, "eventTime");
  }

  /** The reading as one line of JSON. */
  public String toJson() {
    return String.format(Locale.ROOT, "{\"sensor_id\":\"%s\",\"temperature\":%.1f,\"humidity\":%.1f,\"event_time\":\"%s\"}",
        sensorId, temperature, humidity, eventTime);
  }

  /** {@link #toJson()} as UTF-8, the record's data. */
  public byte[] toJsonBytes() {
    return toJson().getBytes(StandardCharsets.UTF_8);
  }
}
