package dev.freshet.kinesis.server;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link KinesisServer} serves TLS: with the key and certificate of a keystore, or with a
 * self-signed certificate generated at start for {@code localhost}, {@code 127.0.0.1} and {@code
 * ::1} (clients must trust it explicitly; see {@link KinesisServer#certificates()}). Either way the
 * server offers HTTP/2 and HTTP/1.1 by ALPN, and its endpoint is {@code https://}.
 *
 * <pre>{@code
 * ServerConfig.builder().setTls(ServerTls.keyStore(Path.of("server.p12"), "changeit")).build();
 * ServerConfig.builder().setTls(ServerTls.selfSigned()).build();
 * }</pre>
 */
public final class ServerTls {
  private final @Nullable Path keyStore;
  private final @Nullable String password;

  private ServerTls(@Nullable Path keyStore, @Nullable String password) {
    this.keyStore = keyStore;
    this.password = password;
  }

  /** A certificate generated at start, valid for localhost, 127.0.0.1 and ::1. */
  public static ServerTls selfSigned() {
    return new ServerTls(null, null);
  }

  /**
   * The first private key entry of a PKCS12 or JKS keystore (the type is detected from the file),
   * whose key is protected by the same password as the store.
   */
  public static ServerTls keyStore(Path file, String password) {
    checkNotNull(file, "file");
    checkNotNull(password, "password");
    checkArgument(Files.isRegularFile(file), "keyStore must be a readable file, but was: %s", file);
    return new ServerTls(file, password);
  }

  public boolean isSelfSigned() {
    return keyStore == null;
  }

  @Nullable Path keyStoreFile() {
    return keyStore;
  }

  char[] password() {
    return password == null ? new char[0] : password.toCharArray();
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof ServerTls && Objects.equals(((ServerTls) other).keyStore, keyStore)
        && Objects.equals(((ServerTls) other).password, password);
  }

  @Override
  public int hashCode() {
    return Objects.hash(keyStore, password);
  }

  @Override
  public String toString() {
    return keyStore == null ? "ServerTls{selfSigned}" : "ServerTls{keyStore=" + keyStore + "}";
  }
}
