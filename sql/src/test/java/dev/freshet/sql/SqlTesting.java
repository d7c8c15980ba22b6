package dev.freshet.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.sdk.stream.CreateStreamRequest;
import dev.freshet.sdk.stream.GetRecordsResult;
import dev.freshet.sdk.stream.ListShardsRequest;
import dev.freshet.sdk.stream.PutRecordsEntry;
import dev.freshet.sdk.stream.Record;
import dev.freshet.sdk.stream.Shard;
import dev.freshet.sdk.stream.StartingPosition;
import dev.freshet.sdk.stream.StreamClient;
import dev.freshet.sdk.stream.StreamClients;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * What the SQL tests share: the real embedded store on a folder of the test's, registered at its
 * {@code file:} endpoint so that pipelines in this JVM use the same instance; records in through
 * the stream API and out of a whole stream; pipelines run to the end with every PAssert checked.
 */
final class SqlTesting implements AutoCloseable {
  final Path dataDir;
  final URI endpoint;
  final StreamClient client;
  private final StreamClients.Lease lease;

  private SqlTesting(Path dataDir) {
    this.dataDir = dataDir;
    this.endpoint = StreamClients.endpointOf(dataDir);
    this.lease = StreamClients.register(endpoint, LocalStreamStore.open(StoreConfig.builder(dataDir).build()));
    this.client = lease.client();
  }

  /** Opens the store on {@code dataDir}. */
  static SqlTesting open(Path dataDir) {
    return new SqlTesting(dataDir);
  }

  @Override
  public void close() {
    lease.close();
  }

  void createStream(String stream, int shards) {
    client.createStream(CreateStreamRequest.provisioned(stream, shards));
  }

  /** Puts each {@code [partitionKey, data]} pair in one PutRecords call, so each shard keeps their order. */
  void put(String stream, List<String[]> records) {
    List<PutRecordsEntry> entries = new ArrayList<>();
    for (String[] record : records) {
      entries.add(PutRecordsEntry.of(record[0], record[1].getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(client.putRecords(stream, entries).failedRecordCount()).isZero();
  }

  void putBytes(String stream, String partitionKey, byte[] data) {
    client.putRecord(stream, PutRecordsEntry.of(partitionKey, data), null);
  }

  /** Every record in the stream, shard by shard, as its partition key, a space and its data. */
  List<String> records(String stream) {
    List<String> out = new ArrayList<>();
    for (Shard shard : client.listShards(ListShardsRequest.of(stream)).shards()) {
      String iterator = client.getShardIterator(stream, shard.shardId(), StartingPosition.trimHorizon());
      while (iterator != null) {
        GetRecordsResult result = client.getRecords(iterator, 10_000);
        for (Record record : result.records()) {
          out.add(record.partitionKey() + " " + new String(record.data(), StandardCharsets.UTF_8));
        }
        if (result.records().isEmpty() && result.millisBehindLatest() == 0) {
          break;
        }
        iterator = result.nextShardIterator();
      }
    }
    return out;
  }

  /** A pipeline on the Direct runner. */
  static Pipeline directPipeline() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--targetParallelism=2").create());
  }

  /** A streaming pipeline on Beam's Flink runner in this JVM, parallelism 2. */
  static Pipeline flinkPipeline(String... more) {
    String[] args = Stream.concat(
            Stream.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--streaming=true", "--parallelism=2"),
            Stream.of(more))
        .toArray(String[]::new);
    return Pipeline.create(PipelineOptionsFactory.fromArgs(args).withValidation().create());
  }

  /** Each row as its values joined by {@code |}, for exact comparisons of query results. */
  static PCollection<String> lines(PCollection<Row> rows) {
    return rows.apply(MapElements.into(TypeDescriptors.strings()).via(SqlTesting::line));
  }

  static String line(Row row) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < row.getFieldCount(); i++) {
      if (i > 0) {
        out.append('|');
      }
      Object value = row.getValue(i);
      out.append(value instanceof org.joda.time.ReadableInstant
          ? ((org.joda.time.ReadableInstant) value).toInstant().toString() : String.valueOf(value));
    }
    return out.toString();
  }

  /**
   * Runs a pipeline to the end and checks PAssert as {@code TestPipeline} does: the job must finish
   * DONE and every assertion in it must have succeeded, so one that never ran fails too.
   */
  static void runAndVerify(Pipeline pipeline) {
    PipelineResult result = pipeline.run();
    assertThat(result.waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
    int expected = PAssert.countAsserts(pipeline);
    long succeeded = 0;
    for (MetricResult<Long> counter : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(PAssert.class, PAssert.SUCCESS_COUNTER)).build()).getCounters()) {
      succeeded += counter.getAttempted();
    }
    assertThat(succeeded).as("PAsserts that succeeded").isEqualTo(expected);
  }
}
