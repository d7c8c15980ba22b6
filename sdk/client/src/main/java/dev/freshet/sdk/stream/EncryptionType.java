package dev.freshet.sdk.stream;

/** How records are encrypted at rest: not at all, or with a key from the key store (the service's KMS). */
public enum EncryptionType {
  NONE, KMS
}
