package dev.freshet.kinesis.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 connection driven byte by byte, so that tests can send what no real
 * client would: broken request lines, lying Content-Lengths, heads without bodies. Reads time out
 * instead of hanging.
 */
final class RawHttpConnection implements AutoCloseable {
  /** A response: status, lower-cased headers, body. */
  record Response(int status, Map<String, String> headers, byte[] body) {
    boolean closes() {
      return "close".equalsIgnoreCase(headers.get("connection"));
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawHttpConnection(InetSocketAddress address, int timeoutMillis) throws IOException {
    socket = new Socket();
    socket.connect(address, timeoutMillis);
    socket.setSoTimeout(timeoutMillis);
    socket.setTcpNoDelay(true);
    in = new BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  static byte[] head(String method, Map<String, String> headers) {
    StringBuilder head = new StringBuilder(method).append(" / HTTP/1.1\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A POST with Host, Content-Length and the given headers (a null value leaves a header out). */
  static byte[] post(Map<String, String> headers, byte[] body) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("Host", "localhost");
    all.put("Content-Length", Integer.toString(body.length));
    all.putAll(headers);
    all.values().removeIf(v -> v == null);
    byte[] head = head("POST", all);
    byte[] request = new byte[head.length + body.length];
    System.arraycopy(head, 0, request, 0, head.length);
    System.arraycopy(body, 0, request, head.length, body.length);
    return request;
  }

  void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  Response read() throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new IOException("connection closed without a response");
    }
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP response: " + statusLine);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = line(); line != null && !line.isEmpty(); line = line()) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      throw new IOException("connection closed in the middle of a response body");
    }
    return new Response(Integer.parseInt(parts[1]), headers, body);
  }

  /** True when the server closed the connection (end of stream before any further byte). */
  boolean closedByServer() throws IOException {
    int timeout = socket.getSoTimeout();
    socket.setSoTimeout(2_000);
    try {
      return in.read() < 0;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true;
    } finally {
      socket.setSoTimeout(timeout);
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
