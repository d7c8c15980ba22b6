package dev.freshet.examples.iot;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded readings of a room full of sensors: each sensor has its own base temperature (18 to 26
 * °C) and reads every {@code interval}, drifting slowly with noise; now and then (2% of readings)
 * a sensor reports a spike of 6 to 10 °C, which shows up as a window's maximum. Every value has
 * one decimal. The same seed and settings give the same readings.
 */
public final class SensorReadingGenerator {
  private SensorReadingGenerator() {}

  /**
   * Readings of {@code sensors} sensors ({@code sensor-01}, ...) every {@code interval} from {@code
   * start} for {@code span}, in event-time order (sensors in id order at each instant).
   */
  public static List<SensorReading> readings(long seed, int sensors, Instant start, Duration span, Duration interval) {
    checkArgument(sensors >= 1 && sensors <= 99, "sensors must be between 1 and 99, but was: %s", sensors);
    checkArgument(!interval.isNegative() && !interval.isZero(), "interval must be positive, but was: %s", interval);
    Random random = new Random(seed);
    double[] base = new double[sensors];
    double[] humidity = new double[sensors];
    for (int s = 0; s < sensors; s++) {
      base[s] = 18 + random.nextInt(81) / 10.0;
      humidity[s] = 35 + random.nextInt(200) / 10.0;
    }
    List<SensorReading> readings = new ArrayList<>();
    for (Instant t = start; t.isBefore(start.plus(span)); t = t.plus(interval)) {
      double minutes = Duration.between(start, t).toMillis() / 60_000.0;
      for (int s = 0; s < sensors; s++) {
        double value = base[s] + Math.sin(minutes / 3 + s) + random.nextGaussian() * 0.3;
        if (random.nextDouble() < 0.02) {
          value += 6 + random.nextDouble() * 4;
        }
        double wet = humidity[s] + random.nextGaussian();
        readings.add(new SensorReading(String.format("sensor-%02d", s + 1), tenths(value), tenths(wet), t));
      }
    }
    return readings;
  }

  private static double tenths(double value) {
    return Math.round(value * 10) / 10.0;
  }
}
