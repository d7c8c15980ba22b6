package dev.freshet.agent;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * The hash of a file's first bytes (up to {@value #MAX_BYTES}), which, with the file key (inode),
 * tells a rotated, renamed or copied file from a new one.
 */
record Fingerprint(int length, String hash) {
  static final int MAX_BYTES = 1024;
  static final Fingerprint EMPTY = new Fingerprint(0, hashOf(new byte[0]));

  /** The fingerprint of {@code channel}'s first {@code length} bytes, or null if it is shorter. */
  static Fingerprint of(FileChannel channel, int length) throws IOException {
    byte[] bytes = read(channel, 0, length);
    return bytes == null ? null : new Fingerprint(length, hashOf(bytes));
  }

  /** The fingerprint of up to {@value #MAX_BYTES} first bytes of a file of {@code size} bytes. */
  static Fingerprint ofHead(FileChannel channel, long size) throws IOException {
    Fingerprint f = of(channel, (int) Math.min(size, MAX_BYTES));
    return f == null ? EMPTY : f;
  }

  /** Whether {@code channel} starts with the bytes this fingerprint was taken of. */
  boolean matches(FileChannel channel) throws IOException {
    return this.equals(of(channel, length));
  }

  /**
   * This fingerprint taken over more of the file: up to {@value #MAX_BYTES} of its first
   * {@code size} bytes, if it still starts with the bytes fingerprinted (else this one, and the
   * next check finds the file truncated).
   */
  Fingerprint grow(FileChannel channel, long size) throws IOException {
    int target = (int) Math.min(size, MAX_BYTES);
    if (target <= length) {
      return this;
    }
    byte[] bytes = read(channel, 0, target);
    if (bytes == null || !hashOf(Arrays.copyOf(bytes, length)).equals(hash)) {
      return this;
    }
    return new Fingerprint(target, hashOf(bytes));
  }

  /** {@code length} bytes at {@code position}, or null if the file ends before. */
  static byte[] read(FileChannel channel, long position, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position + buffer.position());
      if (n < 0) {
        return null;
      }
    }
    return buffer.array();
  }

  /** Whether two files hold the same {@code length} bytes at {@code position}. */
  static boolean sameBytes(FileChannel a, FileChannel b, long position, int length) throws IOException {
    byte[] x = read(a, position, length);
    byte[] y = read(b, position, length);
    return x != null && y != null && Arrays.equals(x, y);
  }

  private static String hashOf(byte[] bytes) {
    return Hashing.sha256().hashBytes(bytes).toString();
  }
}
