package dev.freshet.kinesis.crypto;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableSortedSet;
import dev.freshet.sdk.stream.errors.KmsNotFoundException;
import dev.freshet.sdk.stream.errors.ValidationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local stand-in for AWS KMS: named AES-256 keys kept in one JSON file.
 *
 * <p>Why it exists: streams with server-side encryption name a KMS key, and the store must encrypt
 * and decrypt records with it without reaching AWS. The service's behaviour is kept where a client
 * can see it: an unknown key id fails with {@link KmsNotFoundException}, and the AWS-managed key
 * {@value #AWS_MANAGED_KEY_ID} exists as soon as a stream asks for it ({@link
 * #keyOrCreateAwsManaged}).
 *
 * <p>The file holds raw key material, so it is written owner-only and atomically through {@link
 * SecretFiles}: a crash while adding a key leaves the old file whole, and losing the file loses
 * every record encrypted under its keys, so back it up with the data folder. Lookups are lock-free
 * (they run per record); key creation is serialised.
 *
 * <p>File format: {@code {"version":1,"keys":[{"keyId":"...","material":"<base64 of 32
 * bytes>","createdAt":"<ISO-8601>"}]}}.
 */
public final class LocalKeyStore {
  /** The id of the AWS-managed key for Kinesis, which the service creates on first use. */
  public static final String AWS_MANAGED_KEY_ID = "alias/aws/kinesis";

  /** The service's limit on the length of a KeyId. */
  public static final int MAX_KEY_ID_LENGTH = 2048;

  private static final int KEY_BYTES = 32;
  private static final int FORMAT_VERSION = 1;
  private static final Logger LOG = LoggerFactory.getLogger(LocalKeyStore.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path file;
  private final Map<String, SecretKey> keys;
  private final Map<String, String> createdAt;

  private LocalKeyStore(Path file, Map<String, SecretKey> keys, Map<String, String> createdAt) {
    this.file = file;
    this.keys = keys;
    this.createdAt = createdAt;
  }

  /**
   * Opens the key store in {@code file}, or an empty one if the file does not exist yet (it is
   * written when the first key is created).
   *
   * @throws IllegalStateException naming the file and the problem if it is not a valid key store;
   *     the file is not changed
   * @throws UncheckedIOException if it cannot be read
   */
  public static LocalKeyStore open(Path file) {
    Map<String, SecretKey> keys = new ConcurrentHashMap<>();
    Map<String, String> createdAt = new ConcurrentHashMap<>();
    if (Files.exists(file)) {
      JsonNode root;
      try {
        root = JSON.readTree(Files.readAllBytes(file));
      } catch (JsonProcessingException e) {
        throw invalid(file, "it is not JSON (" + e.getOriginalMessage() + ")");
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read key store file " + file, e);
      }
      if (root == null || !root.isObject()) {
        throw invalid(file, "it does not hold a JSON object");
      }
      if (root.path("version").asInt(-1) != FORMAT_VERSION) {
        throw invalid(file, "its version is " + root.get("version") + ", expected 1");
      }
      JsonNode entries = root.path("keys");
      if (!entries.isArray()) {
        throw invalid(file, "it has no 'keys' array");
      }
      for (Iterator<JsonNode> it = entries.elements(); it.hasNext(); ) {
        JsonNode entry = it.next();
        String keyId = entry.path("keyId").textValue();
        String material = entry.path("material").textValue();
        if (keyId == null || material == null) {
          throw invalid(file, "an entry lacks 'keyId' or 'material': " + redacted(entry));
        }
        byte[] bytes;
        try {
          bytes = Base64.getDecoder().decode(material);
        } catch (IllegalArgumentException e) {
          throw invalid(file, "the material of key '" + keyId + "' is not base64");
        }
        if (bytes.length != KEY_BYTES) {
          throw invalid(
              file,
              "the material of key '" + keyId + "' has " + bytes.length + " bytes, not 32");
        }
        if (keys.put(keyId, new SecretKeySpec(bytes, "AES")) != null) {
          throw invalid(file, "key '" + keyId + "' appears twice");
        }
        createdAt.put(keyId, entry.path("createdAt").asText(""));
      }
    }
    return new LocalKeyStore(file, keys, createdAt);
  }

  /**
   * Creates a new random 256-bit key named {@code keyId} and saves the store.
   *
   * @throws ValidationException if the id is not 1 to 2048 characters
   * @throws IllegalArgumentException if a key with that id exists
   * @throws UncheckedIOException if the file cannot be written; the store is then unchanged
   */
  public synchronized void createKey(String keyId) {
    checkKeyId(keyId);
    if (keys.containsKey(keyId)) {
      throw new IllegalArgumentException(
          "Key '" + keyId + "' already exists in key store " + file);
    }
    byte[] material = new byte[KEY_BYTES];
    RANDOM.nextBytes(material);
    String created = Instant.now().toString();
    save(keyId, material, created);
    keys.put(keyId, new SecretKeySpec(material, "AES"));
    createdAt.put(keyId, created);
    LOG.info("Created key {} in key store {}", keyId, file);
  }

  /** Whether a key named {@code keyId} exists. */
  public boolean contains(String keyId) {
    return keyId != null && keys.containsKey(keyId);
  }

  /**
   * The key named {@code keyId}.
   *
   * @throws KmsNotFoundException naming the id and the key store file if there is no such key
   */
  public SecretKey key(String keyId) {
    SecretKey key = keyId == null ? null : keys.get(keyId);
    if (key == null) {
      throw new KmsNotFoundException(
          "KMS key '" + keyId + "' was not found in the local key store " + file);
    }
    return key;
  }

  /**
   * The key named {@code keyId}, creating the AWS-managed key {@value #AWS_MANAGED_KEY_ID} on its
   * first use as the service does; any other unknown id is an error.
   *
   * @throws ValidationException if the id is not 1 to 2048 characters
   * @throws KmsNotFoundException naming the id and the file if it is unknown and not the
   *     AWS-managed key
   */
  public SecretKey keyOrCreateAwsManaged(String keyId) {
    checkKeyId(keyId);
    SecretKey key = keys.get(keyId);
    if (key != null) {
      return key;
    }
    if (AWS_MANAGED_KEY_ID.equals(keyId)) {
      synchronized (this) {
        if (!keys.containsKey(keyId)) {
          createKey(keyId);
        }
      }
    }
    return key(keyId);
  }

  /** The ids of all keys, sorted. */
  public Set<String> keyIds() {
    return ImmutableSortedSet.copyOf(keys.keySet());
  }

  /** The file this store is kept in. */
  public Path file() {
    return file;
  }

  /**
   * Checks a key id against the service's constraint (1 to 2048 characters).
   *
   * @throws ValidationException naming the value otherwise
   */
  public static void checkKeyId(String keyId) {
    if (keyId == null || keyId.isEmpty() || keyId.length() > MAX_KEY_ID_LENGTH) {
      String shown =
          keyId == null || keyId.length() <= 64
              ? String.valueOf(keyId)
              : keyId.substring(0, 64) + "...";
      throw new ValidationException(
          "Value '"
              + shown
              + "' at 'keyId' failed to satisfy constraint: Member must have length between 1"
              + " and "
              + MAX_KEY_ID_LENGTH);
    }
  }

  /** Writes the current keys plus one new key, without touching the in-memory map. */
  private void save(String newKeyId, byte[] newMaterial, String newCreatedAt) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", FORMAT_VERSION);
    ArrayNode entries = root.putArray("keys");
    for (String keyId : keyIds()) {
      addEntry(entries, keyId, keys.get(keyId).getEncoded(), createdAt.getOrDefault(keyId, ""));
    }
    addEntry(entries, newKeyId, newMaterial, newCreatedAt);
    try {
      SecretFiles.writeAtomically(file, JSON.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write key store file " + file, e);
    }
  }

  private static void addEntry(ArrayNode entries, String keyId, byte[] material, String created) {
    ObjectNode entry = entries.addObject();
    entry.put("keyId", keyId);
    entry.put("material", Base64.getEncoder().encodeToString(material));
    entry.put("createdAt", created);
  }

  private static String redacted(JsonNode entry) {
    ObjectNode copy = entry.isObject() ? ((ObjectNode) entry).deepCopy() : JSON.createObjectNode();
    if (copy.has("material")) {
      copy.put("material", "<redacted>");
    }
    return copy.toString();
  }

  private static IllegalStateException invalid(Path file, String problem) {
    return new IllegalStateException("Key store file " + file + " is not valid: " + problem);
  }
}
