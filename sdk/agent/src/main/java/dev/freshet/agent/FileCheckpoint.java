package dev.freshet.agent;

/**
 * How far one file is delivered: the checkpoint file's entry. {@code offset} is the byte after the
 * last delivered record; the file is found again on restart by {@code fileKey} and the fingerprint
 * of its first bytes, or by the fingerprint alone when it was copied (copy-truncate rotation).
 */
record FileCheckpoint(String path, String fileKey, int fingerprintLength, String fingerprint, long offset,
    String producerId) {}
