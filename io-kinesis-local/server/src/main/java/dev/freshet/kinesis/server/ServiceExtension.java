package dev.freshet.kinesis.server;

import io.netty.handler.codec.http.HttpRequest;

/**
 * Another service answered on the server's port beside the Kinesis Data Streams API: the Firehose
 * API, the Kinesis Video API, the console. An extension is given to {@link
 * KinesisServer#start(ServerConfig, dev.freshet.sdk.stream.StreamClient, java.util.List)}; the
 * server asks each one in order whether it {@link #accepts} a request (before its own Kinesis
 * routing, after {@code /health} and {@code /metrics}) and hands the first that does the whole
 * request on a worker thread. The server closes its extensions when it closes, after the requests
 * in progress have finished.
 *
 * <pre>{@code
 * final class Firehose implements ServiceExtension {
 *   public String signingName() { return "firehose"; }
 *   public boolean accepts(HttpRequest request) {
 *     String target = request.headers().get("X-Amz-Target");
 *     return target != null && target.startsWith("Firehose_20150804.");
 *   }
 *   public void serve(HttpExchange exchange) { exchange.respond(200, "application/x-amz-json-1.1", body); }
 * }
 * }</pre>
 */
public interface ServiceExtension extends AutoCloseable {
  /**
   * The service name in the credential scope of its requests' AWS Signature Version 4 ({@code
   * firehose}, {@code kinesisvideo}, …). When the server requires signatures, a request scoped to
   * this name is accepted as well as one scoped to {@code kinesis}.
   */
  String signingName();

  /**
   * Whether this extension answers the request, from its method, path and headers. Called on a
   * network thread for every request: it must be cheap and must not block.
   */
  boolean accepts(HttpRequest request);

  /**
   * Whether {@code request} (one this extension {@linkplain #accepts accepts}) carries a credential
   * of the extension's own, so that the server lets it through unsigned when it requires
   * signatures: Kinesis Video's HLS and DASH playlists and segments, fetched by media players with
   * the session token a signed request gave out. The extension then checks that credential itself.
   * Called on a network thread: cheap, never blocking. Default: no.
   */
  default boolean authenticatesItself(HttpRequest request) {
    return false;
  }

  /**
   * Whether this extension reads the body of {@code request} (one it {@linkplain #accepts accepts})
   * as it arrives, through {@link HttpExchange#body()}, rather than aggregated: for long or large
   * uploads such as Kinesis Video's PutMedia, which are then not bound by the server's request size
   * limit. {@link #serve} is then called as soon as the headers have arrived. With signatures
   * required, such a request must declare its payload hash in {@code x-amz-content-sha256}. Called
   * on a network thread: cheap, never blocking. Default: no.
   */
  default boolean streamsRequestBody(HttpRequest request) {
    return false;
  }

  /**
   * Answers one request: its body aggregated, within the server's request size limit, or streamed
   * (see {@link #streamsRequestBody}). Runs
   * on a worker thread and may block. An exception that escapes is answered with a 500 in JSON
   * ({@code {"__type":"InternalFailure","message":…}}); an extension answers bad input with its
   * service's own error shape instead.
   */
  void serve(HttpExchange exchange) throws Exception;

  /** Stops the extension's own work (delivery threads, files); the server calls it once, when it closes. */
  @Override
  default void close() throws Exception {}
}
