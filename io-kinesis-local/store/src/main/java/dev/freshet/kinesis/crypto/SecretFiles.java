package dev.freshet.kinesis.crypto;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;

/**
 * Reads and writes the small files that hold the store's secrets (key material, the iterator MAC
 * key).
 *
 * <p>Why a class of its own: losing or half-writing one of these files loses data (records
 * encrypted under a key) or invalidates every outstanding iterator, and leaving one readable by
 * other users leaks it. So every write goes to a temporary file in the same folder, created
 * owner-only ({@code rw-------}) where the file system has POSIX permissions, is forced to disk,
 * and then renamed over the target atomically: a reader sees the old file or the new one, never a
 * torn mix, and the folder entry is forced too so the rename survives a crash.
 *
 * <p>I/O failures surface as {@link UncheckedIOException} naming the file, because callers open
 * these files while opening the store and cannot recover from them.
 */
public final class SecretFiles {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private static final SecureRandom RANDOM = new SecureRandom();

  private SecretFiles() {}

  /**
   * The {@code length} bytes in {@code file}, or, if it does not exist, new random bytes that are
   * first written to it, so the same secret comes back after a restart.
   *
   * @throws IllegalStateException if the file exists but does not hold exactly {@code length}
   *     bytes; it is left as it is, since replacing it would silently invalidate what it protects
   * @throws UncheckedIOException if the file cannot be read or written
   */
  public static synchronized byte[] readOrCreate(Path file, int length) {
    checkArgument(length > 0, "length must be positive, but was: %s", length);
    try {
      if (Files.exists(file)) {
        byte[] existing = Files.readAllBytes(file);
        if (existing.length != length) {
          throw new IllegalStateException(
              "Secret file "
                  + file
                  + " holds "
                  + existing.length
                  + " bytes instead of "
                  + length
                  + "; restore it from a backup or delete it to start with a new secret");
        }
        return existing;
      }
      byte[] secret = new byte[length];
      RANDOM.nextBytes(secret);
      writeAtomically(file, secret);
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read or create secret file " + file, e);
    }
  }

  /**
   * Replaces the contents of {@code file} with {@code content} atomically, owner-only where the
   * file system supports POSIX permissions.
   */
  public static void writeAtomically(Path file, byte[] content) throws IOException {
    Path target = file.toAbsolutePath();
    Path folder = target.getParent();
    Files.createDirectories(folder);
    boolean posix = Files.getFileStore(folder).supportsFileAttributeView("posix");
    FileAttribute<?>[] attributes =
        posix
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
            : new FileAttribute<?>[0];
    Path temp = Files.createTempFile(folder, "." + target.getFileName(), ".tmp", attributes);
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    if (posix) {
      // Only POSIX systems let a folder be opened to force its entries to disk.
      try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
        dir.force(true);
      }
    }
  }
}
