package dev.freshet.kinesis.console;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.freshet.kinesis.firehose.FirehoseService;
import dev.freshet.kinesis.server.HttpExchange;
import dev.freshet.kinesis.server.ServiceExtension;
import dev.freshet.kinesis.store.LocalStreamStore;
import dev.freshet.kinesis.video.VideoFragmentStore;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The web console of {@code freshet server}, a {@link ServiceExtension} on the server's port: pages
 * on {@code GET /console/…} (plain HTML, CSS and JavaScript served from this jar, so they work
 * offline) and the JSON endpoints behind them on {@code /console/api/…} (see {@code docs/console.md}).
 * It reads the components in process: the {@link LocalStreamStore} (streams, shards, consumers,
 * records, and the counters its rate charts sample every second), and, when given, the {@link
 * FirehoseService}, the {@link VideoFragmentStore} and a {@link ConsoleSql}.
 *
 * <pre>{@code
 * ConsoleService console = ConsoleService.builder(store).setFirehose(firehose).setVideo(videos).build();
 * KinesisServer server = KinesisServer.start(config, store, List.of(firehose, video, console));
 * // http://127.0.0.1:4567/console/
 * }</pre>
 *
 * <p>The console does not authenticate: it reads and writes what the server holds for anyone who can
 * reach the port, like the rest of the server without {@code --credentials}. A server that requires
 * signatures does not let it through unsigned (browsers do not sign), so {@code freshet server}
 * serves the console only when authentication is off.
 */
public final class ConsoleService implements ServiceExtension {
  /** Where the console lives on the server. */
  public static final String PATH = "/console";
  private static final String RESOURCES = "/dev/freshet/kinesis/console/web/";
  private static final Pattern ASSET = Pattern.compile("[a-z0-9-]+\\.(html|css|js|svg)");
  private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
      "css", "text/css; charset=utf-8", "js", "text/javascript; charset=utf-8", "svg", "image/svg+xml");

  private final RateSampler rates;
  private final ConsoleApi api;
  private final @Nullable ConsoleSql sql;

  private ConsoleService(Builder builder) {
    this.rates = new RateSampler(builder.store);
    this.sql = builder.sql;
    this.api = new ConsoleApi(builder.store, rates, Optional.ofNullable(builder.firehose),
        Optional.ofNullable(builder.video), Optional.ofNullable(builder.sql));
    rates.start();
  }

  /** A console over {@code store}; add the other services with the builder's setters. */
  public static Builder builder(LocalStreamStore store) {
    return new Builder(store);
  }

  /** The console's URL on a server whose endpoint is {@code endpoint}. */
  public static URI url(URI endpoint) {
    return endpoint.resolve(PATH + "/");
  }

  @Override
  public String signingName() {
    return "console";
  }

  @Override
  public boolean accepts(HttpRequest request) {
    String uri = request.uri();
    return uri.equals(PATH) || uri.startsWith(PATH + "/") || uri.startsWith(PATH + "?");
  }

  @Override
  public void serve(HttpExchange exchange) throws IOException {
    String path = exchange.path();
    HttpMethod method = exchange.request().method();
    if (path.startsWith(PATH + "/api/")) {
      ConsoleApi.Answer answer = api.answer(method, path.substring((PATH + "/api").length()),
          exchange.request().uri(), exchange.body().readAllBytes());
      respond(exchange, answer.status(), answer.contentType(), answer.body());
      return;
    }
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      respond(exchange, 405, "text/plain; charset=utf-8", bytes("The console's pages take GET"));
      return;
    }
    if (path.equals(PATH)) {
      FullHttpResponse redirect = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FOUND,
          Unpooled.EMPTY_BUFFER);
      redirect.headers().set(HttpHeaderNames.LOCATION, PATH + "/");
      redirect.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
      exchange.respond(redirect);
      return;
    }
    String name = path.substring(PATH.length() + 1);
    if (name.isEmpty()) {
      name = "index.html";
    }
    byte[] asset = ASSET.matcher(name).matches() ? asset(name) : null;
    if (asset == null) {
      respond(exchange, 404, "text/plain; charset=utf-8", bytes("No console page " + path));
      return;
    }
    respond(exchange, 200, TYPES.get(name.substring(name.lastIndexOf('.') + 1)), asset);
  }

  private static byte @Nullable [] asset(String name) throws IOException {
    try (InputStream in = ConsoleService.class.getResourceAsStream(RESOURCES + name)) {
      return in == null ? null : in.readAllBytes();
    }
  }

  private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    exchange.respond(response);
  }

  static byte[] bytes(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Stops sampling the stream rates and closes the {@link ConsoleSql} (its jobs end). The other
   * services it reads are closed by their owners.
   */
  @Override
  public void close() {
    rates.close();
    if (sql != null) {
      sql.close();
    }
  }

  /** Builder for {@link ConsoleService}. */
  public static final class Builder {
    private final LocalStreamStore store;
    private @Nullable FirehoseService firehose;
    private @Nullable VideoFragmentStore video;
    private @Nullable ConsoleSql sql;

    private Builder(LocalStreamStore store) {
      this.store = checkNotNull(store, "store");
    }

    /** The delivery streams page reads this service; without it the page says Firehose is not served. */
    public Builder setFirehose(FirehoseService value) {
      this.firehose = checkNotNull(value, "firehose");
      return this;
    }

    /** The video page reads this store; without it the page says Kinesis Video is not served. */
    public Builder setVideo(VideoFragmentStore value) {
      this.video = checkNotNull(value, "video");
      return this;
    }

    /** The SQL page's back end, closed with the console; without it the page says SQL is not available. */
    public Builder setSql(ConsoleSql value) {
      this.sql = checkNotNull(value, "sql");
      return this;
    }

    /** Starts the console (its rate sampler thread); the server closes it. */
    public ConsoleService build() {
      return new ConsoleService(this);
    }
  }
}
