package dev.freshet.kinesis.server;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Checks AWS Signature Version 4 on a request, in an Authorization header or a presigned query,
 * as the service does for {@code kinesis}: the canonical request (method, doubly encoded
 * normalised path, sorted query, signed headers, payload hash), the credential scope, and a request
 * time within 15 minutes of the server's clock. Failures are {@link ApiException}s with the
 * service's error types and messages. Signatures are compared in constant time.
 */
final class SignatureVerifier {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  static final String SERVICE = "kinesis";
  static final Duration MAX_SKEW = Duration.ofMinutes(15);
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
  private static final HexFormat HEX = HexFormat.of();

  private final ServerCredentials credentials;
  private final Clock clock;
  private final Set<String> services;

  SignatureVerifier(ServerCredentials credentials, Clock clock) {
    this(credentials, clock, List.of());
  }

  /** Also accepts scopes naming {@code extraServices} (the server's {@link ServiceExtension}s). */
  SignatureVerifier(ServerCredentials credentials, Clock clock, List<String> extraServices) {
    this.credentials = credentials;
    this.clock = clock;
    Set<String> names = new java.util.LinkedHashSet<>();
    names.add(SERVICE);
    names.addAll(extraServices);
    this.services = Set.copyOf(names);
  }

  /** Returns normally when the request is signed by a known key; throws the service's error otherwise. */
  void verify(FullHttpRequest request) {
    verify(request, false);
  }

  /**
   * As {@link #verify(FullHttpRequest)}; for a request whose body is streamed to an extension
   * ({@code bodyStreamed}), {@code request} carries the headers only, and the payload hash is the
   * one the client declared in {@code x-amz-content-sha256} (required then), since the body has not
   * arrived yet.
   */
  void verify(FullHttpRequest request, boolean bodyStreamed) {
    String uri = request.uri();
    int question = uri.indexOf('?');
    String rawPath = question < 0 ? uri : uri.substring(0, question);
    List<String[]> query = parseQuery(question < 0 ? "" : uri.substring(question + 1));
    String authorization = request.headers().get("Authorization");
    boolean presigned = queryValue(query, "X-Amz-Algorithm") != null;

    String algorithm;
    String credential;
    String signedHeaders;
    String signature;
    String amzDate;
    if (authorization != null && !presigned) {
      int space = authorization.indexOf(' ');
      algorithm = space < 0 ? authorization : authorization.substring(0, space);
      checkAlgorithm(algorithm);
      credential = null;
      signedHeaders = null;
      signature = null;
      for (String part : authorization.substring(space + 1).split(",")) {
        String item = part.strip();
        int equals = item.indexOf('=');
        if (equals < 0) {
          throw incomplete("Authorization header requires each component to be of the form key=value, but was: "
              + ApiRequest.abbreviate(item));
        }
        String value = item.substring(equals + 1);
        switch (item.substring(0, equals)) {
          case "Credential": credential = value; break;
          case "SignedHeaders": signedHeaders = value; break;
          case "Signature": signature = value; break;
          default: break;
        }
      }
      if (credential == null || signedHeaders == null || signature == null) {
        throw incomplete("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."
            + " Authorization=" + ALGORITHM);
      }
      amzDate = request.headers().get("X-Amz-Date");
      if (amzDate == null) {
        throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
      }
    } else if (presigned) {
      algorithm = queryValue(query, "X-Amz-Algorithm");
      checkAlgorithm(algorithm);
      credential = queryValue(query, "X-Amz-Credential");
      signedHeaders = queryValue(query, "X-Amz-SignedHeaders");
      signature = queryValue(query, "X-Amz-Signature");
      amzDate = queryValue(query, "X-Amz-Date");
      if (credential == null || signedHeaders == null || signature == null || amzDate == null) {
        throw incomplete("AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', "
            + "'X-Amz-Signature', 'X-Amz-SignedHeaders' and 'X-Amz-Date'.");
      }
    } else {
      throw new ApiException("MissingAuthenticationTokenException", 400, "Missing Authentication Token");
    }

    String[] scope = credential.split("/", -1);
    if (scope.length != 5) {
      throw incomplete("Credential should be of the form <AccessKeyId>/<date>/<region>/" + SERVICE
          + "/aws4_request, but was: " + ApiRequest.abbreviate(credential));
    }
    String secret = credentials.secretKey(scope[0]);
    if (secret == null) {
      throw new ApiException("UnrecognizedClientException", 400, "The security token included in the request is invalid.");
    }
    if (!services.contains(scope[3])) {
      throw invalid("Credential should be scoped to correct service: '" + SERVICE + "'. ");
    }
    if (!scope[4].equals("aws4_request")) {
      throw invalid("Credential should be scoped with a valid terminator: 'aws4_request', not '"
          + ApiRequest.abbreviate(scope[4]) + "'. ");
    }
    Instant time;
    try {
      time = Instant.from(AMZ_DATE.parse(amzDate));
    } catch (DateTimeParseException e) {
      throw incomplete("X-Amz-Date must be in the ISO-8601 basic format yyyyMMdd'T'HHmmss'Z', but was: "
          + ApiRequest.abbreviate(amzDate));
    }
    if (!amzDate.startsWith(scope[1])) {
      throw invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"
          + ApiRequest.abbreviate(scope[1]) + "' != '" + amzDate.substring(0, 8) + "', from '" + amzDate + "'.");
    }
    checkTime(time, presigned ? queryValue(query, "X-Amz-Expires") : null);
    List<String> headerNames = List.of(signedHeaders.split(";", -1));
    if (!headerNames.contains("host")) {
      throw invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }

    String payloadHash = bodyStreamed ? declaredPayloadHash(request) : payloadHash(request, presigned);
    String canonicalRequest = request.method().name() + '\n'
        + canonicalPath(rawPath) + '\n'
        + canonicalQuery(query, presigned) + '\n'
        + canonicalHeaders(request.headers(), headerNames) + '\n'
        + signedHeaders + '\n'
        + payloadHash;
    String stringToSign = ALGORITHM + '\n' + amzDate + '\n'
        + String.join("/", scope[1], scope[2], scope[3], scope[4]) + '\n'
        + HEX.formatHex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), scope[1]);
    key = hmac(key, scope[2]);
    key = hmac(key, scope[3]);
    key = hmac(key, scope[4]);
    byte[] expected = HEX.formatHex(hmac(key, stringToSign)).getBytes(StandardCharsets.US_ASCII);
    byte[] given = signature.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) {
      throw invalid("The request signature we calculated does not match the signature you provided. Check your "
          + "AWS Secret Access Key and signing method. Consult the service documentation for details.");
    }
  }

  private static void checkAlgorithm(String algorithm) {
    if (!ALGORITHM.equals(algorithm)) {
      throw incomplete("Unsupported AWS 'algorithm': '" + ApiRequest.abbreviate(String.valueOf(algorithm))
          + "'; only " + ALGORITHM + " is accepted");
    }
  }

  private void checkTime(Instant time, @Nullable String expires) {
    Instant now = clock.instant();
    if (time.isAfter(now.plus(MAX_SKEW))) {
      throw invalid("Signature not yet current: " + AMZ_DATE.format(time) + " is still later than "
          + AMZ_DATE.format(now.plus(MAX_SKEW)) + " (" + AMZ_DATE.format(now) + " + 15 min.)");
    }
    Instant earliest;
    if (expires == null) {
      earliest = now.minus(MAX_SKEW);
    } else {
      long seconds;
      try {
        seconds = Long.parseLong(expires);
      } catch (NumberFormatException e) {
        throw incomplete("X-Amz-Expires must be a number of seconds, but was: " + ApiRequest.abbreviate(expires));
      }
      if (seconds < 1 || seconds > 604800) {
        throw incomplete("X-Amz-Expires must be between 1 and 604800 seconds, but was: " + seconds);
      }
      earliest = now.minusSeconds(seconds);
    }
    if (time.isBefore(earliest)) {
      throw invalid("Signature expired: " + AMZ_DATE.format(time) + " is now earlier than "
          + AMZ_DATE.format(earliest) + " (" + AMZ_DATE.format(now) + " - "
          + (expires == null ? "15 min." : expires + " s.") + ")");
    }
  }

  private static String declaredPayloadHash(FullHttpRequest request) {
    String declared = request.headers().get("X-Amz-Content-Sha256");
    if (declared == null) {
      throw invalid("A request whose body is streamed must declare its payload hash in 'x-amz-content-sha256'"
          + " (or UNSIGNED-PAYLOAD).");
    }
    return declared;
  }

  private static String payloadHash(FullHttpRequest request, boolean presigned) {
    String actual = HEX.formatHex(sha256(request.content()));
    String declared = request.headers().get("X-Amz-Content-Sha256");
    if (declared == null) {
      return actual;
    }
    if (declared.equals(UNSIGNED_PAYLOAD)) {
      return declared;
    }
    if (!declared.equalsIgnoreCase(actual)) {
      throw invalid("The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    return declared;
  }

  /** The path as sent (encoded once), normalised and encoded a second time, as SigV4 does outside S3. */
  static String canonicalPath(String rawPath) {
    if (rawPath.isEmpty()) {
      return "/";
    }
    Deque<String> segments = new ArrayDeque<>();
    for (String segment : rawPath.split("/", -1)) {
      if (segment.equals("..")) {
        segments.pollLast();
      } else if (!segment.equals(".") && !segment.isEmpty()) {
        segments.addLast(segment);
      }
    }
    StringBuilder path = new StringBuilder();
    for (String segment : segments) {
      path.append('/').append(encode(segment));
    }
    if (path.length() == 0 || rawPath.endsWith("/")) {
      path.append('/');
    }
    return path.toString();
  }

  private static String canonicalQuery(List<String[]> query, boolean presigned) {
    List<String[]> encoded = new ArrayList<>();
    for (String[] pair : query) {
      if (presigned && pair[0].equals("X-Amz-Signature")) {
        continue;
      }
      encoded.add(new String[] {encode(pair[0]), encode(pair[1])});
    }
    encoded.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
    StringBuilder out = new StringBuilder();
    for (String[] pair : encoded) {
      if (out.length() > 0) {
        out.append('&');
      }
      out.append(pair[0]).append('=').append(pair[1]);
    }
    return out.toString();
  }

  private static String canonicalHeaders(HttpHeaders headers, List<String> names) {
    StringBuilder out = new StringBuilder();
    for (String name : names) {
      List<String> values = new ArrayList<>();
      for (String value : headers.getAll(name)) {
        values.add(value.strip().replaceAll("\\s+", " "));
      }
      out.append(name).append(':').append(String.join(",", values)).append('\n');
    }
    return out.toString();
  }

  /** The query's parameters, percent-decoded ('+' is a plus, as the SDKs encode a space as %20). */
  private static List<String[]> parseQuery(String rawQuery) {
    List<String[]> pairs = new ArrayList<>();
    if (rawQuery.isEmpty()) {
      return pairs;
    }
    for (String part : rawQuery.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int equals = part.indexOf('=');
      pairs.add(new String[] {
          decode(equals < 0 ? part : part.substring(0, equals)), equals < 0 ? "" : decode(part.substring(equals + 1))});
    }
    return pairs;
  }

  private static @Nullable String queryValue(List<String[]> query, String name) {
    for (String[] pair : query) {
      if (pair[0].equals(name)) {
        return pair[1];
      }
    }
    return null;
  }

  /** RFC 3986 encoding: everything but unreserved characters, as SigV4 requires. */
  static String encode(String value) {
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      }
    }
    return out.toString();
  }

  private static String decode(String value) {
    if (value.indexOf('%') < 0) {
      return value;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%' && i + 2 < value.length() && Character.digit(value.charAt(i + 1), 16) >= 0
          && Character.digit(value.charAt(i + 2), 16) >= 0) {
        out.write(Character.digit(value.charAt(i + 1), 16) * 16 + Character.digit(value.charAt(i + 2), 16));
        i += 2;
      } else {
        byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static ApiException invalid(String message) {
    return new ApiException("InvalidSignatureException", 400, message);
  }

  private static ApiException incomplete(String message) {
    return new ApiException("IncompleteSignatureException", 400, message);
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static byte[] sha256(ByteBuf content) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(content.nioBuffer());
      return digest.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
