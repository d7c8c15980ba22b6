package dev.freshet.transforms.firehose.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.freshet.transforms.firehose.CompressionFormat;
import dev.freshet.transforms.firehose.FirehoseDelivery;
import dev.freshet.transforms.firehose.FirehoseDestination;
import dev.freshet.transforms.firehose.FirehoseRecord;
import dev.freshet.transforms.firehose.FirehoseRecordCoder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The harness of {@code bench/firehose.sh}. Phases (one per JVM, by the first argument):
 *
 * <ul>
 *   <li>{@code gzip DIR MB}: the baseline, one thread writing the same JSON lines through a plain
 *       {@link GZIPOutputStream} to one file in DIR.
 *   <li>{@code firehose DIR MB}: {@code FirehoseDelivery} on Flink {@code [local]} (streaming,
 *       parallelism 2), the same lines as gzip objects of 64 MiB in DIR; throughput from the first
 *       record generated to the end of the job, and the process's CPU time over that span (cores
 *       used). The objects are read back to check that every byte is there.
 *   <li>{@code delay DIR SECONDS}: records generated at 1,000 per second for SECONDS, interval hint
 *       5 s and size hint 128 MiB, so that the interval puts every object; each record carries the
 *       time it was made, and each object's delay is the time its file was written less the oldest
 *       record in it.
 * </ul>
 *
 * Each phase prints {@code firehose.*} key=value lines; the script makes the table and the ratios.
 */
public final class FirehoseBenchmark {
  private FirehoseBenchmark() {}

  static final long DELAY_INTERVAL_SECONDS = 5;
  private static final AtomicLong FIRST_RECORD_NANOS = new AtomicLong();
  private static final AtomicLong FIRST_RECORD_CPU_NANOS = new AtomicLong();

  /** Record {@code i}: one JSON clickstream event of about 250 bytes, the same in every phase. */
  static byte[] record(long i, long madeAtMillis) {
    SplittableRandom random = new SplittableRandom(i * 0x9E3779B97F4A7C15L);
    String json = String.format(Locale.ROOT,
        "{\"event_id\":%d,\"made_at\":%d,\"user\":\"u%06d\",\"session\":\"%016x\",\"page\":\"/category/%d/item/%d\","
            + "\"referrer\":\"https://search.example.com/?q=item+%d\",\"ua\":\"Mozilla/5.0 (X11; Linux x86_64) "
            + "Gecko/20100101 Firefox/%d.0\",\"price\":%d.%02d,\"action\":\"%s\"}",
        i, madeAtMillis, random.nextInt(200_000), random.nextLong(), random.nextInt(50), random.nextInt(10_000),
        random.nextInt(10_000), 100 + random.nextInt(30), random.nextInt(500), random.nextInt(100),
        ACTIONS[random.nextInt(ACTIONS.length)]);
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private static final String[] ACTIONS = {"view", "click", "add_to_cart", "purchase", "scroll"};

  /** How many records make {@code megabytes} of JSON lines (the records are about the same size). */
  static long recordsFor(long megabytes) {
    long sample = 0;
    for (int i = 0; i < 1000; i++) {
      sample += record(i, 1_700_000_000_000L).length + 1;
    }
    return megabytes * 1_000_000L * 1000 / sample;
  }

  public static void main(String[] args) throws Exception {
    String phase = args[0];
    Path dir = Path.of(args[1]);
    Files.createDirectories(dir);
    switch (phase) {
      case "gzip" -> gzip(dir, Long.parseLong(args[2]));
      case "firehose" -> firehose(dir, Long.parseLong(args[2]));
      case "delay" -> delay(dir, Long.parseLong(args[2]));
      default -> throw new IllegalArgumentException("unknown phase " + phase + "; use gzip, firehose or delay");
    }
  }

  private static void gzip(Path dir, long megabytes) throws IOException {
    long records = recordsFor(megabytes);
    long bytes = 0;
    long start = System.nanoTime();
    long cpuStart = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("baseline.gz")), 64 * 1024)) {
      for (long i = 0; i < records; i++) {
        byte[] data = record(i, 1_700_000_000_000L + i);
        out.write(data);
        out.write('\n');
        bytes += data.length + 1;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuSeconds = (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart) / 1e9;
    System.out.printf(Locale.ROOT, "firehose.gzip.records=%d%nfirehose.gzip.bytes=%d%nfirehose.gzip.s=%.2f%n"
            + "firehose.gzip.cpu_s=%.2f%nfirehose.gzip.mbps=%.1f%nfirehose.gzip.mb_per_cpu_s=%.1f%n",
        records, bytes, seconds, cpuSeconds, bytes / 1e6 / seconds, bytes / 1e6 / cpuSeconds);
  }

  /** Record i of the generated sequence, stamped with now; notes when the first one was made. */
  static final class MakeRecord extends SimpleFunction<Long, FirehoseRecord> {
    private static final long serialVersionUID = 1L;
    private final boolean madeNow;

    MakeRecord(boolean madeNow) {
      this.madeNow = madeNow;
    }

    @Override
    public FirehoseRecord apply(Long i) {
      if (FIRST_RECORD_NANOS.get() == 0 && FIRST_RECORD_NANOS.compareAndSet(0, System.nanoTime())) {
        FIRST_RECORD_CPU_NANOS.set(processCpuNanos());
      }
      long now = System.currentTimeMillis();
      return FirehoseRecord.of(record(i, madeNow ? now : 1_700_000_000_000L + i), new Instant(now));
    }
  }

  private static long processCpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static Pipeline flink() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=FlinkRunner", "--flinkMaster=[local]",
        "--streaming=true", "--parallelism=2", "--fasterCopy=true", "--disableMetrics=true")
        .as(FlinkPipelineOptions.class));
  }

  private static void firehose(Path dir, long megabytes) throws IOException {
    long records = recordsFor(megabytes);
    Pipeline pipeline = flink();
    pipeline.apply(GenerateSequence.from(0).to(records))
        .apply(MapElements.via(new MakeRecord(false))).setCoder(FirehoseRecordCoder.of())
        .apply(FirehoseDelivery.to(FirehoseDestination.localFiles(dir))
            .withDeliveryStreamName("bench")
            .withBufferingHints(64, Duration.standardSeconds(900))
            .withCompression(CompressionFormat.GZIP)
            .withAppendDelimiter(true));
    long wallStart = System.nanoTime();
    PipelineResult.State state = pipeline.run().waitUntilFinish();
    long end = System.nanoTime();
    long cpu = processCpuNanos() - FIRST_RECORD_CPU_NANOS.get();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("the job ended " + state);
    }
    double seconds = (end - FIRST_RECORD_NANOS.get()) / 1e9;
    // Every line back, with its bytes.
    long lines = 0;
    long bytes = 0;
    long objects = 0;
    long compressed = 0;
    for (Path file : objects(dir)) {
      objects++;
      compressed += Files.size(file);
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(
          new GZIPInputStream(Files.newInputStream(file), 64 * 1024), StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          lines++;
          bytes += line.getBytes(StandardCharsets.UTF_8).length + 1;
        }
      }
    }
    if (lines != records) {
      throw new IllegalStateException("delivered " + lines + " records of " + records);
    }
    System.out.printf(Locale.ROOT, "firehose.records=%d%nfirehose.bytes=%d%nfirehose.objects=%d%n"
            + "firehose.compressed_bytes=%d%nfirehose.s=%.2f%nfirehose.wall_s=%.2f%nfirehose.mbps=%.1f%n"
            + "firehose.cores=%.2f%nfirehose.cpu_s=%.2f%nfirehose.mb_per_cpu_s=%.1f%n",
        records, bytes, objects, compressed, seconds, (end - wallStart) / 1e9, bytes / 1e6 / seconds,
        cpu / 1e9 / seconds, cpu / 1e9, bytes / 1e6 / (cpu / 1e9));
  }

  private static void delay(Path dir, long seconds) throws IOException {
    long rate = 1000;
    Pipeline pipeline = flink();
    pipeline.apply(GenerateSequence.from(0).to(rate * seconds).withRate(rate, Duration.standardSeconds(1)))
        .apply(MapElements.via(new MakeRecord(true))).setCoder(FirehoseRecordCoder.of())
        .apply(FirehoseDelivery.to(FirehoseDestination.localFiles(dir))
            .withDeliveryStreamName("delay")
            .withBufferingHints(128, Duration.standardSeconds(DELAY_INTERVAL_SECONDS))
            .withAppendDelimiter(true));
    PipelineResult.State state = pipeline.run().waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("the job ended " + state);
    }
    List<Path> files = objects(dir);
    // The last object of the run is put by the end of input, not by the interval: leave it out.
    long lastPut = 0;
    for (Path file : files) {
      lastPut = Math.max(lastPut, Files.getLastModifiedTime(file).toMillis());
    }
    double maxDelay = 0;
    double sumDelay = 0;
    int counted = 0;
    long records = 0;
    for (Path file : files) {
      long put = Files.getLastModifiedTime(file).toMillis();
      long oldest = Long.MAX_VALUE;
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        records++;
        int at = line.indexOf("\"made_at\":") + 10;
        oldest = Math.min(oldest, Long.parseLong(line.substring(at, line.indexOf(',', at))));
      }
      if (put == lastPut) {
        continue;
      }
      double delay = (put - oldest) / 1000.0;
      maxDelay = Math.max(maxDelay, delay);
      sumDelay += delay;
      counted++;
    }
    if (records != rate * seconds) {
      throw new IllegalStateException("delivered " + records + " records of " + rate * seconds);
    }
    System.out.printf(Locale.ROOT, "firehose.delay.objects=%d%nfirehose.delay.interval_s=%d%n"
            + "firehose.delay.mean_s=%.2f%nfirehose.delay.max_s=%.2f%nfirehose.delay.ratio=%.2f%n",
        counted, DELAY_INTERVAL_SECONDS, counted == 0 ? 0 : sumDelay / counted, maxDelay,
        maxDelay / DELAY_INTERVAL_SECONDS);
  }

  private static List<Path> objects(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).toList();
    }
  }
}
