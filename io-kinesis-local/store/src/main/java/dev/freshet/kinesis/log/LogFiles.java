package dev.freshet.kinesis.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * The file operations whose durability the store depends on: opening the channels of segment files
 * and metadata files, and changing directories (create, rename, delete, force). Internal to the
 * store.
 *
 * <p>Why a seam: a test that kills the process cannot tell what reached the disk from what was only
 * in the page cache. The store's power-loss tests pass an implementation that remembers what was
 * forced and builds the image a machine crash would leave. {@link #system()}, the only
 * implementation in production, hands out the JDK's own {@link FileChannel}s, so appends and reads
 * go straight to them: the seam costs nothing per record.
 *
 * <p>Implementations provide the primitives; the default methods build on them, so their
 * durability rules (which directory is forced when) hold for every implementation. Reading a
 * directory or a file's existence goes to {@link Files} directly: it changes nothing.
 */
public interface LogFiles {
  /** The real file system. */
  static LogFiles system() {
    return SystemLogFiles.INSTANCE;
  }

  /** Opens a file as {@link FileChannel#open(Path, OpenOption...)} does. */
  FileChannel open(Path file, OpenOption... options) throws IOException;

  /** Creates one directory whose parent exists; its entry is durable once the parent is forced. */
  void createDirectory(Path dir) throws IOException;

  /**
   * Renames {@code source} to {@code target} atomically, replacing {@code target}; durable once
   * the directory is forced.
   */
  void move(Path source, Path target) throws IOException;

  /** Deletes a file or an empty directory if it exists; durable once the directory is forced. */
  void deleteIfExists(Path path) throws IOException;

  /** Forces the entries of a directory (creations, renames, deletions in it) to the device. */
  void forceDirectory(Path dir) throws IOException;

  /**
   * Creates {@code dir} and its missing parents, forcing each new directory's parent, so that once
   * this returns the whole path survives a loss of power. Directories are created rarely (a store,
   * a stream, a shard), so the forces cost nothing that matters.
   */
  default void createDirectories(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = absolute; p != null && !Files.isDirectory(p); p = p.getParent()) {
      missing.push(p);
    }
    while (!missing.isEmpty()) {
      Path next = missing.pop();
      try {
        createDirectory(next);
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(next)) {
          throw e;
        }
        // Created meanwhile by another caller, who may not have forced the parent yet.
      }
      forceDirectory(next.getParent());
    }
  }

  /** Creates an empty file; its entry is durable once the directory is forced. */
  default void createFile(Path file) throws IOException {
    open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
  }

  /** Deletes {@code path} and everything under it, if it exists. */
  default void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    List<Path> all;
    try (Stream<Path> walk = Files.walk(path)) {
      all = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path each : all) {
      deleteIfExists(each);
    }
  }
}
