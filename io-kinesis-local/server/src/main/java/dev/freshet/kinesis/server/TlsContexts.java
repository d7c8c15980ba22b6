package dev.freshet.kinesis.server;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds the server's TLS context from a {@link ServerTls}: the JDK provider (Java 9+ speaks ALPN
 * itself, no native library needed), the HTTP/2 cipher suites, and ALPN offering h2 then http/1.1.
 */
final class TlsContexts {
  private TlsContexts() {}

  /** A server context and the certificate chain it presents. */
  static final class Tls {
    final SslContext context;
    final List<X509Certificate> chain;

    Tls(SslContext context, List<X509Certificate> chain) {
      this.context = context;
      this.chain = chain;
    }
  }

  static Tls build(ServerTls tls) {
    PrivateKey key;
    List<X509Certificate> chain;
    try {
      if (tls.isSelfSigned()) {
        KeyPair pair = generateKeyPair();
        key = pair.getPrivate();
        chain = List.of(selfSign(pair));
      } else {
        Path file = tls.keyStoreFile();
        char[] password = tls.password();
        KeyStore store = KeyStore.getInstance(file.toFile(), password);
        String alias = null;
        for (String candidate : Collections.list(store.aliases())) {
          if (store.isKeyEntry(candidate)) {
            alias = candidate;
            break;
          }
        }
        if (alias == null) {
          throw new IllegalArgumentException("The keystore " + file + " holds no private key entry");
        }
        key = (PrivateKey) store.getKey(alias, password);
        chain = new ArrayList<>();
        for (Certificate certificate : store.getCertificateChain(alias)) {
          chain.add((X509Certificate) certificate);
        }
      }
      SslContext context = SslContextBuilder.forServer(key, chain)
          .sslProvider(SslProvider.JDK)
          .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(new ApplicationProtocolConfig(
              ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
          .build();
      return new Tls(context, List.copyOf(chain));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the TLS keystore " + tls.keyStoreFile(), e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalArgumentException("Cannot set up TLS from " + tls + ": " + e.getMessage(), e);
    }
  }

  private static KeyPair generateKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    return generator.generateKeyPair();
  }

  /** A certificate for the loopback names, so that clients' host name checks pass on any of them. */
  private static X509Certificate selfSign(KeyPair pair) throws GeneralSecurityException, OperatorCreationException {
    try {
      X500Name name = new X500Name("CN=localhost, O=Freshet local Kinesis");
      Instant now = Instant.now();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
          new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
          Date.from(now.plus(Duration.ofDays(365))), name, pair.getPublic());
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.dNSName, "localhost"),
          new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
          new GeneralName(GeneralName.iPAddress, "::1")}));
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    } catch (org.bouncycastle.cert.CertIOException e) {
      throw new IllegalStateException("Cannot encode the self-signed certificate", e);
    }
  }
}
