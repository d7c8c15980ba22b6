package dev.freshet.kinesis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/** Requests signed by the AWS SDK's own SigV4 signer, checked at chosen server clocks. */
class SignatureVerifierTest {
  private static final Instant SIGNED_AT = Instant.parse("2024-05-01T12:00:00Z");
  private static final ServerCredentials KEYS = ServerCredentials.of(Map.of("AKIDEXAMPLE", "secret"));

  private static FullHttpRequest signed(String secret, String path, Map<String, List<String>> query, boolean presign) {
    return signed(secret, path, query, presign, "kinesis");
  }

  private static FullHttpRequest signed(String secret, String path, Map<String, List<String>> query, boolean presign,
      String service) {
    byte[] body = "{\"StreamName\":\"s\"}".getBytes(StandardCharsets.UTF_8);
    SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder()
        .method(SdkHttpMethod.POST)
        .uri(URI.create("http://127.0.0.1:4567" + path))
        .putHeader("Content-Type", "application/x-amz-json-1.1")
        .putHeader("X-Amz-Target", "Kinesis_20131202.DescribeStream")
        .putHeader("X-Custom", "spaced    value");
    query.forEach(request::putRawQueryParameter);
    SignedRequest result = AwsV4HttpSigner.create().sign(r -> r
        .identity(AwsBasicCredentials.create("AKIDEXAMPLE", secret))
        .request(request.build())
        .payload(ContentStreamProvider.fromByteArray(body))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
        .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1")
        .putProperty(AwsV4HttpSigner.AUTH_LOCATION,
            presign ? AwsV4HttpSigner.AuthLocation.QUERY_STRING : AwsV4HttpSigner.AuthLocation.HEADER)
        .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, presign ? Duration.ofMinutes(5) : null)
        .putProperty(software.amazon.awssdk.http.auth.spi.signer.HttpSigner.SIGNING_CLOCK, Clock.fixed(SIGNED_AT, ZoneOffset.UTC)));
    String uri = result.request().encodedPath()
        + result.request().encodedQueryParameters().map(q -> "?" + q).orElse("");
    FullHttpRequest netty = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri,
        Unpooled.wrappedBuffer(body));
    result.request().forEachHeader((name, values) -> values.forEach(v -> netty.headers().add(name, v)));
    netty.headers().set("Host", "127.0.0.1:4567");
    return netty;
  }

  private static SignatureVerifier at(Instant now) {
    return new SignatureVerifier(KEYS, Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void acceptsTheSdkSignatureWithinFifteenMinutes() {
    FullHttpRequest request = signed("secret", "/", Map.of(), false);
    at(SIGNED_AT).verify(request);
    at(SIGNED_AT.plus(Duration.ofMinutes(14))).verify(request);
    at(SIGNED_AT.minus(Duration.ofMinutes(14))).verify(request);
  }

  @Test
  void acceptsTheScopeOfAServiceExtensionOnlyWhenOneIsRegistered() {
    FullHttpRequest request = signed("secret", "/", Map.of(), false, "firehose");
    assertThatThrownBy(() -> at(SIGNED_AT).verify(request))
        .hasMessageContaining("Credential should be scoped to correct service: 'kinesis'");
    new SignatureVerifier(KEYS, Clock.fixed(SIGNED_AT, ZoneOffset.UTC), List.of("firehose")).verify(request);
    FullHttpRequest video = signed("secret", "/", Map.of(), false, "kinesisvideo");
    assertThatThrownBy(() -> new SignatureVerifier(KEYS, Clock.fixed(SIGNED_AT, ZoneOffset.UTC), List.of("firehose"))
        .verify(video)).hasMessageContaining("scoped to correct service");
  }

  @Test
  void acceptsEncodedPathsAndQueries() {
    at(SIGNED_AT).verify(signed("secret", "/a%20b/./c/", Map.of("x", List.of("1 2", "a/b"), "a", List.of("")), false));
  }

  @Test
  void acceptsAPresignedQuery() {
    FullHttpRequest request = signed("secret", "/", Map.of(), true);
    assertThat(request.headers().contains("Authorization")).isFalse();
    at(SIGNED_AT.plus(Duration.ofMinutes(4))).verify(request);
    assertThatThrownBy(() -> at(SIGNED_AT.plus(Duration.ofMinutes(6))).verify(request))
        .hasMessageStartingWith("Signature expired");
  }

  @Test
  void refusesExpiredAndFutureSignatures() {
    FullHttpRequest request = signed("secret", "/", Map.of(), false);
    assertThatThrownBy(() -> at(SIGNED_AT.plus(Duration.ofMinutes(16))).verify(request))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.errorType()).isEqualTo("InvalidSignatureException"))
        .hasMessageStartingWith("Signature expired: 20240501T120000Z is now earlier than 20240501T120100Z");
    assertThatThrownBy(() -> at(SIGNED_AT.minus(Duration.ofMinutes(16))).verify(request))
        .hasMessageStartingWith("Signature not yet current");
  }

  @Test
  void refusesAWrongSecretAChangedBodyAndAnUnknownKey() {
    assertThatThrownBy(() -> at(SIGNED_AT).verify(signed("wrong", "/", Map.of(), false)))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.errorType()).isEqualTo("InvalidSignatureException"))
        .hasMessageStartingWith("The request signature we calculated does not match the signature you provided");
    FullHttpRequest tampered = signed("secret", "/", Map.of(), false);
    tampered.content().setByte(2, 'X');
    assertThatThrownBy(() -> at(SIGNED_AT).verify(tampered)).isInstanceOf(ApiException.class);
    FullHttpRequest unknown = signed("secret", "/", Map.of(), false);
    unknown.headers().set("Authorization", unknown.headers().get("Authorization").replace("AKIDEXAMPLE", "AKIDOTHER"));
    assertThatThrownBy(() -> at(SIGNED_AT).verify(unknown))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.errorType()).isEqualTo("UnrecognizedClientException"))
        .hasMessage("The security token included in the request is invalid.");
    FullHttpRequest missing = signed("secret", "/", Map.of(), false);
    missing.headers().remove("Authorization");
    assertThatThrownBy(() -> at(SIGNED_AT).verify(missing))
        .isInstanceOfSatisfying(ApiException.class,
            e -> assertThat(e.errorType()).isEqualTo("MissingAuthenticationTokenException"));
  }

  @Test
  void canonicalPathIsNormalisedAndEncodedTwice() {
    assertThat(SignatureVerifier.canonicalPath("")).isEqualTo("/");
    assertThat(SignatureVerifier.canonicalPath("/")).isEqualTo("/");
    assertThat(SignatureVerifier.canonicalPath("/a/../b%20c/./d")).isEqualTo("/b%2520c/d");
  }
}
