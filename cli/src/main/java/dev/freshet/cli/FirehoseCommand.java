package dev.freshet.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.CreateDeliveryStreamRequest;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamDescription;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamStatus;
import software.amazon.awssdk.services.firehose.model.DestinationDescription;
import software.amazon.awssdk.services.firehose.model.FirehoseException;
import software.amazon.awssdk.services.firehose.model.ListDeliveryStreamsResponse;
import software.amazon.awssdk.services.firehose.model.ProcessorType;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.Record;

/**
 * {@code freshet firehose create|list|describe|delete|put}: delivery streams of a running {@code
 * freshet server}, through its Firehose API with the AWS SDK's Firehose client.
 */
@Command(
    name = "firehose",
    description = "Create, list, describe, delete and put into delivery streams of a running freshet server.",
    mixinStandardHelpOptions = true,
    subcommands = {
      FirehoseCommand.Create.class,
      FirehoseCommand.ListCommand.class,
      FirehoseCommand.Describe.class,
      FirehoseCommand.Delete.class,
      FirehoseCommand.Put.class
    })
final class FirehoseCommand implements Runnable {
  private static final Duration ACTIVE_TIMEOUT = Duration.ofMinutes(1);

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "Missing subcommand: create, list, describe, delete or put");
  }

  /** The server's endpoint, shared by every subcommand. */
  static final class Endpoint {
    @Option(names = "--endpoint", paramLabel = "URL", defaultValue = "http://127.0.0.1:4567",
        description = "The freshet server (default: ${DEFAULT-VALUE}).")
    URI endpoint;

    @Option(names = "--region", paramLabel = "REGION", defaultValue = "us-east-1",
        description = "Region of the requests (default: ${DEFAULT-VALUE}).")
    String region;

    /** A client with the environment's AWS keys if set, else placeholder keys (a server without --credentials takes any). */
    FirehoseClient client() {
      String key = System.getenv("AWS_ACCESS_KEY_ID");
      String secret = System.getenv("AWS_SECRET_ACCESS_KEY");
      AwsBasicCredentials credentials = key != null && secret != null ? AwsBasicCredentials.create(key, secret)
          : AwsBasicCredentials.create("freshet", "freshet");
      return FirehoseClient.builder().endpointOverride(endpoint).region(Region.of(region))
          .credentialsProvider(StaticCredentialsProvider.create(credentials))
          .httpClient(ApacheHttpClient.create()).build();
    }
  }

  /** Runs {@code call} and turns the service's errors into one-line CLI errors. */
  private static <T> T request(URI endpoint, java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (FirehoseException e) {
      throw new CliException(e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage());
    } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
      throw new CliException("cannot reach the Firehose API at " + endpoint + " (is freshet server running?): "
          + e.getMessage(), e);
    }
  }

  @Command(name = "create", description = "Create a delivery stream to an S3 bucket or an HTTP endpoint.",
      mixinStandardHelpOptions = true)
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin Endpoint endpoint;

    @Parameters(index = "0", paramLabel = "NAME", description = "Delivery stream name.")
    String name;

    @Option(names = "--bucket", required = true, paramLabel = "BUCKET",
        description = "The bucket objects go to (for --http-url: failed records).")
    String bucket;

    @Option(names = "--http-url", paramLabel = "URL", description = "Deliver to this HTTP endpoint instead of S3.")
    String httpUrl;

    @Option(names = "--source-stream", paramLabel = "STREAM",
        description = "Read this Freshet stream (KinesisStreamAsSource) instead of taking puts (DirectPut).")
    String sourceStream;

    @Option(names = "--prefix", paramLabel = "PREFIX", description = "Object key prefix, with !{...} expressions.")
    String prefix;

    @Option(names = "--error-prefix", paramLabel = "PREFIX", description = "Error output prefix.")
    String errorPrefix;

    @Option(names = "--buffer-mib", paramLabel = "N", defaultValue = "5",
        description = "Size hint, 1-128 MiB (default: ${DEFAULT-VALUE}).")
    int bufferMib;

    @Option(names = "--buffer-seconds", paramLabel = "S", defaultValue = "300",
        description = "Interval hint, 0-900 s (default: ${DEFAULT-VALUE}).")
    int bufferSeconds;

    @Option(names = "--compression", paramLabel = "FORMAT", defaultValue = "UNCOMPRESSED",
        description = "UNCOMPRESSED, GZIP, ZIP, Snappy or HADOOP_SNAPPY (default: ${DEFAULT-VALUE}).")
    String compression;

    @Option(names = "--newline", description = "Append a newline to each record (AppendDelimiterToRecord).")
    boolean newline;

    @Override
    public Integer call() {
      String role = "arn:aws:iam::000000000000:role/firehose";
      CreateDeliveryStreamRequest.Builder request = CreateDeliveryStreamRequest.builder().deliveryStreamName(name);
      if (sourceStream != null) {
        request.deliveryStreamType("KinesisStreamAsSource").kinesisStreamSourceConfiguration(k -> k.roleARN(role)
            .kinesisStreamARN("arn:aws:kinesis:" + endpoint.region + ":000000000000:stream/" + sourceStream));
      }
      software.amazon.awssdk.services.firehose.model.ProcessingConfiguration processing = newline
          ? software.amazon.awssdk.services.firehose.model.ProcessingConfiguration.builder().enabled(true)
              .processors(p -> p.type(ProcessorType.APPEND_DELIMITER_TO_RECORD)).build()
          : null;
      if (httpUrl != null) {
        request.httpEndpointDestinationConfiguration(h -> h.roleARN(role)
            .endpointConfiguration(e -> e.url(httpUrl))
            .bufferingHints(b -> b.sizeInMBs(bufferMib).intervalInSeconds(bufferSeconds))
            .processingConfiguration(processing)
            .s3Configuration(s3 -> s3.roleARN(role).bucketARN("arn:aws:s3:::" + bucket).prefix(prefix)
                .errorOutputPrefix(errorPrefix)));
      } else {
        request.extendedS3DestinationConfiguration(s3 -> s3.roleARN(role).bucketARN("arn:aws:s3:::" + bucket)
            .prefix(prefix).errorOutputPrefix(errorPrefix).compressionFormat(compression)
            .bufferingHints(b -> b.sizeInMBs(bufferMib).intervalInSeconds(bufferSeconds))
            .processingConfiguration(processing));
      }
      try (FirehoseClient client = endpoint.client()) {
        String arn = FirehoseCommand.request(endpoint.endpoint, () -> client.createDeliveryStream(request.build()).deliveryStreamARN());
        awaitActive(client, endpoint.endpoint, name);
        spec.commandLine().getOut().printf("created %s%n  %s%n", name, arn);
      }
      return 0;
    }
  }

  private static void awaitActive(FirehoseClient client, URI endpoint, String name) {
    long deadline = System.nanoTime() + ACTIVE_TIMEOUT.toNanos();
    while (request(endpoint, () -> client.describeDeliveryStream(b -> b.deliveryStreamName(name))
        .deliveryStreamDescription().deliveryStreamStatus()) != DeliveryStreamStatus.ACTIVE) {
      if (System.nanoTime() > deadline) {
        throw new CliException("delivery stream " + name + " is not ACTIVE after " + ACTIVE_TIMEOUT.toSeconds() + " s");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted while waiting for delivery stream " + name, e);
      }
    }
  }

  @Command(name = "list", description = "List the delivery streams.", mixinStandardHelpOptions = true)
  static final class ListCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin Endpoint endpoint;

    @Override
    public Integer call() {
      List<String> names = new ArrayList<>();
      try (FirehoseClient client = endpoint.client()) {
        String after = null;
        ListDeliveryStreamsResponse page;
        do {
          String start = after;
          page = FirehoseCommand.request(endpoint.endpoint, () -> client.listDeliveryStreams(
              b -> b.limit(1000).exclusiveStartDeliveryStreamName(start)));
          names.addAll(page.deliveryStreamNames());
          after = names.isEmpty() ? null : names.get(names.size() - 1);
        } while (page.hasMoreDeliveryStreams());
      }
      PrintWriter out = spec.commandLine().getOut();
      if (names.isEmpty()) {
        out.printf("no delivery streams at %s%n", endpoint.endpoint);
      }
      names.forEach(out::println);
      return 0;
    }
  }

  @Command(name = "describe", description = "Describe a delivery stream.", mixinStandardHelpOptions = true)
  static final class Describe implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin Endpoint endpoint;

    @Parameters(index = "0", paramLabel = "NAME", description = "Delivery stream name.")
    String name;

    @Override
    public Integer call() {
      DeliveryStreamDescription d;
      try (FirehoseClient client = endpoint.client()) {
        d = FirehoseCommand.request(endpoint.endpoint,
            () -> client.describeDeliveryStream(b -> b.deliveryStreamName(name)).deliveryStreamDescription());
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%s  %s  %s  version %s%n  %s%n", d.deliveryStreamName(), d.deliveryStreamStatusAsString(),
          d.deliveryStreamTypeAsString(), d.versionId(), d.deliveryStreamARN());
      if (d.source() != null && d.source().kinesisStreamSourceDescription() != null) {
        out.printf("  source: %s%n", d.source().kinesisStreamSourceDescription().kinesisStreamARN());
      }
      for (DestinationDescription destination : d.destinations()) {
        if (destination.extendedS3DestinationDescription() != null) {
          var s3 = destination.extendedS3DestinationDescription();
          out.printf("  destination: %s prefix '%s', %s, buffer %d MiB / %d s%n", s3.bucketARN(),
              s3.prefix() == null ? "" : s3.prefix(), s3.compressionFormatAsString(), s3.bufferingHints().sizeInMBs(),
              s3.bufferingHints().intervalInSeconds());
        } else if (destination.httpEndpointDestinationDescription() != null) {
          out.printf("  destination: %s%n", destination.httpEndpointDestinationDescription().endpointConfiguration().url());
        } else if (destination.redshiftDestinationDescription() != null) {
          out.printf("  destination: %s table %s%n", destination.redshiftDestinationDescription().clusterJDBCURL(),
              destination.redshiftDestinationDescription().copyCommand().dataTableName());
        }
      }
      return 0;
    }
  }

  @Command(name = "delete", description = "Delete a delivery stream.", mixinStandardHelpOptions = true)
  static final class Delete implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin Endpoint endpoint;

    @Parameters(index = "0", paramLabel = "NAME", description = "Delivery stream name.")
    String name;

    @Override
    public Integer call() {
      try (FirehoseClient client = endpoint.client()) {
        FirehoseCommand.request(endpoint.endpoint, () -> client.deleteDeliveryStream(b -> b.deliveryStreamName(name)));
      }
      spec.commandLine().getOut().printf("deleted %s%n", name);
      return 0;
    }
  }

  @Command(name = "put", description = "Put records: the DATA arguments, else one record per line of standard input.",
      mixinStandardHelpOptions = true)
  static final class Put implements Callable<Integer> {
    @Spec CommandSpec spec;
    @CommandLine.Mixin Endpoint endpoint;

    @Parameters(index = "0", paramLabel = "NAME", description = "Delivery stream name.")
    String name;

    @Parameters(index = "1..*", paramLabel = "DATA", description = "Records (UTF-8 text).")
    List<String> data = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
      List<String> records = data;
      if (records.isEmpty()) {
        records = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          records.add(line);
        }
      }
      int put = 0;
      try (FirehoseClient client = endpoint.client()) {
        for (int from = 0; from < records.size(); from += 500) {
          List<Record> batch = records.subList(from, Math.min(records.size(), from + 500)).stream()
              .map(text -> Record.builder().data(SdkBytes.fromUtf8String(text)).build()).toList();
          PutRecordBatchResponse response = FirehoseCommand.request(endpoint.endpoint,
              () -> client.putRecordBatch(b -> b.deliveryStreamName(name).records(batch)));
          if (response.failedPutCount() > 0) {
            throw new CliException(response.failedPutCount() + " of " + batch.size() + " records were refused: "
                + response.requestResponses().stream().filter(r -> r.errorCode() != null).findFirst()
                    .map(r -> r.errorCode() + ": " + r.errorMessage()).orElse(""));
          }
          put += batch.size();
        }
      }
      spec.commandLine().getOut().printf("put %d record%s into %s%n", put, put == 1 ? "" : "s", name);
      return 0;
    }
  }
}
