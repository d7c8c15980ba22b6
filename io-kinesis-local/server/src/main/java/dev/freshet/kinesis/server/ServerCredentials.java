package dev.freshet.kinesis.server;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The access keys a {@link KinesisServer} accepts: access key id to secret access key. When there
 * are none (the default) requests are not authenticated; otherwise each API request must be signed
 * with AWS Signature Version 4 by one of these keys.
 *
 * <pre>{@code
 * ServerCredentials keys = ServerCredentials.load(Path.of(System.getProperty("user.home"), ".aws/credentials"));
 * ServerConfig config = ServerConfig.builder().setCredentials(keys).build();
 * }</pre>
 *
 * <p>{@link #toString()} names the access key ids only, never a secret.
 */
public final class ServerCredentials {
  private static final ServerCredentials NONE = new ServerCredentials(ImmutableMap.of());

  private final ImmutableMap<String, String> secrets;

  private ServerCredentials(ImmutableMap<String, String> secrets) {
    this.secrets = secrets;
  }

  /** No keys: authentication is off. */
  public static ServerCredentials none() {
    return NONE;
  }

  /** The given access key ids and their secret keys. */
  public static ServerCredentials of(Map<String, String> secretsByAccessKeyId) {
    checkNotNull(secretsByAccessKeyId, "secretsByAccessKeyId");
    secretsByAccessKeyId.forEach((id, secret) -> {
      checkArgument(id != null && !id.isBlank(), "an access key id must not be empty");
      checkArgument(secret != null && !secret.isEmpty(), "the secret key of %s must not be empty", id);
    });
    return new ServerCredentials(ImmutableMap.copyOf(secretsByAccessKeyId));
  }

  /**
   * Reads an aws-cli style credentials file: {@code [profile]} sections with {@code
   * aws_access_key_id} and {@code aws_secret_access_key}; every profile adds one key. Comments
   * ({@code #}, {@code ;}), blank lines and other settings (such as {@code region}) are ignored.
   *
   * @throws IllegalArgumentException naming the file and line of malformed content, a profile
   *     with only one of the two keys, or a file without any profile
   * @throws UncheckedIOException when the file cannot be read
   */
  public static ServerCredentials load(Path file) {
    checkNotNull(file, "file");
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the credentials file " + file, e);
    }
    Map<String, String> secrets = new LinkedHashMap<>();
    Profile profile = null;
    for (int i = 0; i < lines.size(); i++) {
      int number = i + 1;
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[")) {
        if (!line.endsWith("]") || line.length() < 3 || line.substring(1, line.length() - 1).isBlank()) {
          throw malformed(file, number, "a profile header must look like [name], but was: " + line);
        }
        if (profile != null) {
          profile.addTo(secrets, file);
        }
        profile = new Profile(line.substring(1, line.length() - 1).strip(), number);
        continue;
      }
      int equals = line.indexOf('=');
      if (equals <= 0) {
        throw malformed(file, number, "expected key = value or [profile]");
      }
      if (profile == null) {
        throw malformed(file, number, "a setting before the first [profile] header");
      }
      String key = line.substring(0, equals).strip().toLowerCase(java.util.Locale.ROOT);
      String value = line.substring(equals + 1).strip();
      if (key.equals("aws_access_key_id") || key.equals("aws_secret_access_key")) {
        if (value.isEmpty()) {
          throw malformed(file, number, key + " of profile [" + profile.name + "] is empty");
        }
        if (key.equals("aws_access_key_id")) {
          profile.accessKeyId = value;
        } else {
          profile.secretKey = value;
        }
      }
    }
    if (profile != null) {
      profile.addTo(secrets, file);
    }
    checkArgument(!secrets.isEmpty(), "The credentials file %s has no [profile] with access keys", file);
    return new ServerCredentials(ImmutableMap.copyOf(secrets));
  }

  private static IllegalArgumentException malformed(Path file, int line, String problem) {
    return new IllegalArgumentException("Malformed credentials file " + file + " at line " + line + ": " + problem);
  }

  /** True when no keys are configured and requests are not authenticated. */
  public boolean isEmpty() {
    return secrets.isEmpty();
  }

  /** The access key ids, without their secrets. */
  public java.util.Set<String> accessKeyIds() {
    return secrets.keySet();
  }

  @Nullable String secretKey(String accessKeyId) {
    return secrets.get(accessKeyId);
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof ServerCredentials && ((ServerCredentials) other).secrets.equals(secrets);
  }

  @Override
  public int hashCode() {
    return Objects.hash(secrets);
  }

  @Override
  public String toString() {
    return "ServerCredentials" + secrets.keySet();
  }

  private static final class Profile {
    final String name;
    final int line;
    @Nullable String accessKeyId;
    @Nullable String secretKey;

    Profile(String name, int line) {
      this.name = name;
      this.line = line;
    }

    void addTo(Map<String, String> secrets, Path file) {
      if (accessKeyId == null && secretKey == null) {
        return;
      }
      if (accessKeyId == null || secretKey == null) {
        throw malformed(file, line, "profile [" + name + "] has "
            + (accessKeyId == null ? "aws_secret_access_key but no aws_access_key_id"
                : "aws_access_key_id but no aws_secret_access_key"));
      }
      String previous = secrets.putIfAbsent(accessKeyId, secretKey);
      if (previous != null && !previous.equals(secretKey)) {
        throw malformed(file, line, "profile [" + name + "] repeats access key id " + accessKeyId
            + " with a different secret");
      }
    }
  }
}
