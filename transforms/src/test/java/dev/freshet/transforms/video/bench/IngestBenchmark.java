package dev.freshet.transforms.video.bench;

import dev.freshet.kinesis.log.Durability;
import dev.freshet.kinesis.server.KinesisServer;
import dev.freshet.kinesis.server.ServerConfig;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.store.StoreConfig;
import dev.freshet.kinesis.video.VideoFragmentStore;
import dev.freshet.kinesis.video.VideoService;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * PutMedia ingest speed: a Matroska file put into the server's video service over HTTP, against
 * {@link Files#copy} of the same file on the same disk; the best of {@code rounds} each.
 */
final class IngestBenchmark {
  private IngestBenchmark() {}

  static List<String> run(Path scratch, Path file, int rounds) throws Exception {
    long bytes = Files.size(file);
    Path data = Files.createTempDirectory(scratch, "ingest");
    HttpClient http = HttpClient.newHttpClient();
    double putSeconds = Double.MAX_VALUE;
    double copySeconds = Double.MAX_VALUE;
    try (LocalStreamStore streams = LocalStreamStore.open(StoreConfig.builder(data.resolve("streams")).build());
        KinesisServer server = KinesisServer.start(ServerConfig.builder().setPort(0).build(), streams,
            List.of(new VideoService(VideoFragmentStore.open(data.resolve("video"), Durability.OS))))) {
      for (int round = 0; round <= rounds; round++) {
        String stream = "ingest-" + round;
        call(http, HttpRequest.newBuilder(server.endpoint().resolve("/createStream"))
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString("{\"StreamName\":\"" + stream + "\",\"DataRetentionInHours\":1}")).build());
        long start = System.nanoTime();
        String acks = call(http, HttpRequest.newBuilder(server.endpoint().resolve("/putMedia"))
            .header("x-amzn-stream-name", stream)
            .header("x-amzn-fragment-timecode-type", "RELATIVE")
            .POST(BodyPublishers.ofFile(file)).build());
        double put = (System.nanoTime() - start) / 1e9;
        if (!acks.contains("PERSISTED") || acks.contains("\"ERROR\"")) {
          throw new IOException("PutMedia did not persist the file: " + acks);
        }
        Path copy = data.resolve("copy-" + round + ".mkv");
        start = System.nanoTime();
        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        double copied = (System.nanoTime() - start) / 1e9;
        if (round > 0) { // round 0 warms up
          putSeconds = Math.min(putSeconds, put);
          copySeconds = Math.min(copySeconds, copied);
        }
      }
    }
    double putMbps = bytes / 1e6 / putSeconds;
    double copyMbps = bytes / 1e6 / copySeconds;
    System.out.printf(Locale.ROOT, "%n%-28s %10s %10s%n", "ingest of " + file.getFileName(), "MB", "MB/s");
    System.out.printf(Locale.ROOT, "%-28s %10.1f %10.1f%n", "PutMedia over HTTP", bytes / 1e6, putMbps);
    System.out.printf(Locale.ROOT, "%-28s %10.1f %10.1f%n", "file copy (same disk)", bytes / 1e6, copyMbps);
    List<String> keys = new ArrayList<>();
    keys.add(String.format(Locale.ROOT, "video.putmedia.mbps=%.1f", putMbps));
    keys.add(String.format(Locale.ROOT, "video.copy.mbps=%.1f", copyMbps));
    keys.add(String.format(Locale.ROOT, "video.ratio.copy=%.3f", putMbps / copyMbps));
    return keys;
  }

  private static String call(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(request.uri().getPath() + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }
}
