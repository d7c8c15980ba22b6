package dev.freshet.kinesis.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Once the TLS handshake is done, sets up HTTP/2 or HTTP/1.1 as ALPN chose; a client that offers no
 * ALPN gets HTTP/1.1.
 */
final class AlpnNegotiation extends ApplicationProtocolNegotiationHandler {
  private static final Logger LOG = LoggerFactory.getLogger(AlpnNegotiation.class);

  private final ServerInitializer initializer;

  AlpnNegotiation(ServerInitializer initializer) {
    super(ApplicationProtocolNames.HTTP_1_1);
    this.initializer = initializer;
  }

  @Override
  protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
      initializer.configureHttp2(ctx.pipeline());
    } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
      initializer.configureHttp1(ctx.pipeline());
    } else {
      throw new IllegalStateException("ALPN chose a protocol this server does not offer: " + protocol);
    }
  }

  /** A client that does not trust the certificate is routine for a local server: no stack trace at WARN. */
  @Override
  protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("TLS handshake with {} failed; closing the connection", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }
}
