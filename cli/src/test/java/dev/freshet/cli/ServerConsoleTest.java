package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code freshet server} serves its console: at {@code /console/} with its URL in the ready
 * output, and not at all when {@code --credentials} requires signed requests (browsers do not sign).
 * The pages themselves are tested in {@link ConsoleBrowserIT}.
 */
class ServerConsoleTest {
  @TempDir Path dir;

  @Test
  void theReadyOutputNamesTheConsoleWhichServesItsPages() throws Exception {
    try (RunningServer server = new RunningServer(dir.resolve("data"))) {
      assertThat(server.out()).contains("console on " + server.endpoint + "/console/");
      HttpResponse<String> page = get(server.endpoint + "/console/");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("<title>Streams · Freshet console</title>");
      assertThat(get(server.endpoint + "/console/api/overview").body())
          .contains("\"firehose\":true", "\"video\":true", "\"sql\":true");
    }
  }

  @Test
  void withCredentialsTheConsoleIsOffAndSaysWhy() throws Exception {
    Path credentials = Files.writeString(dir.resolve("credentials"),
        "[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n");
    try (RunningServer server = new RunningServer(dir.resolve("data"), "--credentials", credentials.toString())) {
      assertThat(server.out()).contains("console off: browsers cannot sign requests").doesNotContain("console on");
      // Unsigned, the console's path is refused like any other request.
      assertThat(get(server.endpoint + "/console/").statusCode()).isIn(400, 403);
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code freshet server --port 0} on a thread of this JVM, stopped by interrupting it. */
  private static final class RunningServer implements AutoCloseable {
    private final StringWriter out = new StringWriter();
    private final Thread thread;
    final String endpoint;

    RunningServer(Path dataDir, String... options) throws Exception {
      String[] args = new String[4 + options.length];
      args[0] = "server";
      args[1] = "--port";
      args[2] = "0";
      System.arraycopy(options, 0, args, 3, options.length);
      args[args.length - 1] = "--data-dir=" + dataDir;
      thread = new Thread(() -> Freshet.commandLine().setOut(new PrintWriter(out, true))
          .setErr(new PrintWriter(out, true)).execute(args), "server-console-test");
      thread.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!out().contains("console ") && thread.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Matcher ready = Pattern.compile("freshet server listening on (\\S+)").matcher(out());
      assertThat(ready.find()).as(out()).isTrue();
      endpoint = ready.group(1);
    }

    String out() {
      return out.toString();
    }

    @Override
    public void close() throws InterruptedException {
      thread.interrupt();
      thread.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(out()).contains("freshet server stopped");
    }
  }
}
