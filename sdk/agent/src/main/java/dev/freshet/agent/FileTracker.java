package dev.freshet.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a flow's files and keeps each one's identity across rotation. A file is the same file when
 * its file key (inode) is the same and it still starts with the bytes fingerprinted, wherever it
 * was renamed to. A tracked file that became shorter than what was read, or whose first bytes
 * changed, was truncated (copy-truncate rotation) or replaced: its state (offset and producer id)
 * moves to the copy, a file with the same first bytes holding at least what was read, and the
 * truncated file starts afresh from its beginning. A file that is a byte-for-byte copy of the start
 * of a tracked file is not read on its own (it is the copy of a copy-truncate in progress).
 */
final class FileTracker {
  private static final Logger LOG = LoggerFactory.getLogger(FileTracker.class);

  private final FlowConfig flow;
  private final Path directory;
  private final PathMatcher names;
  private final List<TrackedFile> files = new ArrayList<>();
  /** Checkpointed files not found yet (only before the first scan). */
  private final List<FileCheckpoint> restored = new ArrayList<>();
  private boolean firstScan = true;
  /** Files found before the first scan that took its new files start at their end (END_OF_FILE, first run). */
  private boolean startAtEnd;
  private boolean rescan;
  /** Test seam: runs at named points of {@link #scan()}, where a test acts as the application would meanwhile. */
  ScanPoint scanPoint = point -> {};

  /** A point of a scan: {@code listed} (the folder was listed), {@code new-files} (before new files are taken). */
  interface ScanPoint {
    void reached(String point) throws IOException;
  }

  FileTracker(FlowConfig flow, @Nullable List<FileCheckpoint> checkpoint) {
    this.flow = flow;
    Path pattern = Path.of(flow.filePattern());
    this.directory = pattern.getParent();
    this.names = FileSystems.getDefault().getPathMatcher("glob:" + pattern.getFileName());
    this.startAtEnd = checkpoint == null && flow.initialPosition() == FlowConfig.InitialPosition.END_OF_FILE;
    if (checkpoint != null) {
      restored.addAll(checkpoint);
    }
  }

  /** The files tracked, oldest modification first after the last scan. */
  List<TrackedFile> files() {
    return files;
  }

  /** A file found under the glob. */
  private record Found(Path path, Object fileKey, long size, long modified) {}

  /**
   * Matches the glob's files against the tracked ones (see the class comment); whether a file was
   * added or moved to a copy, so the caller checkpoints it before sending any of its records.
   *
   * <p>The scan races the application, which may rotate while it runs; two orders keep a copy from
   * being taken for a new file (and its records sent again under a new producer id). The tracked
   * files are checked for truncation before the folder is listed: copy-truncate copies before it
   * truncates, so a scan that saw a truncation lists the copy. And the new files found are only
   * taken if every tracked file is still intact after they were compared with them; otherwise one
   * of them may be the copy of a file truncated meanwhile, and they wait for the next scan
   * ({@link #rescanWanted()}).
   */
  boolean scan() throws IOException {
    boolean changed = firstScan;
    rescan = false;
    List<TrackedFile> truncated = new ArrayList<>();
    for (TrackedFile t : files) {
      if (wasTruncated(t)) {
        truncated.add(t);
      }
    }
    Map<Object, Found> found = new HashMap<>();
    List<Found> order = new ArrayList<>();
    list(found, order);
    scanPoint.reached("listed");
    Set<Object> claimed = new HashSet<>();
    for (TrackedFile t : files) {
      Found f = found.get(t.fileKey);
      t.missing = f == null;
      if (f == null) {
        continue;
      }
      t.path = f.path();
      t.size = f.size();
      if (!truncated.contains(t)) {
        claimed.add(t.fileKey);
        t.fingerprint = t.fingerprint.grow(t.channel, f.size());
      }
    }
    for (TrackedFile t : truncated) {
      Found copy = copyOf(t.fingerprint, t.readOffset, found, claimed);
      if (copy != null) {
        LOG.info("Flow {}: {} was truncated; continuing from offset {} in its copy {}", flow.id(), t.path, t.readOffset,
            copy.path());
        t.open(copy.path());
        t.fileKey = copy.fileKey();
        t.size = copy.size();
        t.missing = false;
        claimed.add(copy.fileKey());
        changed = true;
      } else {
        LOG.warn("Flow {}: {} was truncated at {} bytes read, and no copy of it was found; what was written "
            + "after that and before the truncation is not sent", flow.id(), t.path, t.readOffset);
        t.close();
        files.remove(t);
      }
    }
    if (firstScan) {
      restore(found, claimed);
    }
    scanPoint.reached("new-files");
    List<TrackedFile> added = new ArrayList<>();
    for (Found f : order) {
      if (claimed.contains(f.fileKey()) || isCopyInProgress(f)) {
        continue;
      }
      String producer = "agent/" + UUID.randomUUID();
      TrackedFile t;
      try (FileChannel ch = FileChannel.open(f.path(), StandardOpenOption.READ)) {
        long offset = startAtEnd ? endOfLastLine(ch, f.size()) : 0;
        t = new TrackedFile(producer, f.path(), f.fileKey(), Fingerprint.ofHead(ch, f.size()), offset,
            new RecordSplitter(flow, offset == 0));
        t.open(f.path());
      } catch (NoSuchFileException e) {
        continue;
      }
      t.size = f.size();
      added.add(t);
    }
    if (!added.isEmpty() && anyTruncated()) {
      LOG.debug("Flow {}: a tracked file changed during the scan; new files wait for the next one", flow.id());
      added.forEach(TrackedFile::close);
      added.clear();
      rescan = true;
    } else {
      startAtEnd = false;
    }
    for (TrackedFile t : added) {
      files.add(t);
      changed = true;
      LOG.info("Flow {}: tailing {} from offset {}", flow.id(), t.path, t.readOffset);
    }
    firstScan = false;
    Map<Object, Long> modified = new HashMap<>();
    for (Found f : order) {
      modified.put(f.fileKey(), f.modified());
    }
    files.sort(Comparator.comparingLong((TrackedFile t) -> modified.getOrDefault(t.fileKey, Long.MIN_VALUE))
        .thenComparing(t -> t.path.toString()));
    return changed;
  }

  /** Whether the last scan left new files for the next one, which should then come soon. */
  boolean rescanWanted() {
    return rescan;
  }

  private void list(Map<Object, Found> found, List<Found> order) throws IOException {
    if (!Files.isDirectory(directory)) {
      return;
    }
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(directory, p -> names.matches(p.getFileName()))) {
      for (Path p : dir) {
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          if (a.isRegularFile()) {
            Found f = new Found(p, a.fileKey() != null ? a.fileKey() : p.toString(), a.size(), a.lastModifiedTime().toMillis());
            found.put(f.fileKey(), f);
            order.add(f);
          }
        } catch (NoSuchFileException e) {
          // Rotated away between listing and reading: the next scan finds it under its new name.
        }
      }
    }
  }

  /** Whether {@code t} became shorter than what was read of it, or its first bytes changed. */
  private static boolean wasTruncated(TrackedFile t) throws IOException {
    return t.channel.size() < t.readOffset || !t.fingerprint.matches(t.channel);
  }

  private boolean anyTruncated() throws IOException {
    for (TrackedFile t : files) {
      if (wasTruncated(t)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Takes the checkpointed files back, in two passes so that no file is taken from the entry it
   * belongs to: first each entry whose file is still under its file key with the content
   * fingerprinted, then the others from copies (a copy-truncate while the agent was stopped). An
   * entry with an empty fingerprint (a file found empty, from which nothing was sent: a flow
   * checkpoints a file's fingerprint before it sends the file's records) is never matched by
   * content, which any file would match.
   */
  private void restore(Map<Object, Found> found, Set<Object> claimed) throws IOException {
    List<FileCheckpoint> elsewhere = new ArrayList<>();
    for (FileCheckpoint c : restored) {
      Found f = found.get(keyOf(c, found));
      if (f != null && !claimed.contains(f.fileKey()) && matches(f, c)) {
        resume(c, f);
        claimed.add(f.fileKey());
        LOG.info("Flow {}: resuming {} at offset {}", flow.id(), f.path(), c.offset());
      } else {
        elsewhere.add(c);
      }
    }
    Map<Object, Found> again = null;
    for (FileCheckpoint c : elsewhere) {
      Found f = c.fingerprintLength() == 0 ? null
          : copyOf(new Fingerprint(c.fingerprintLength(), c.fingerprint()), c.offset(), found, claimed);
      if (f == null) {
        // The listing may have missed the file while it was renamed: look once more by file key.
        if (again == null) {
          again = new HashMap<>();
          list(again, new ArrayList<>());
        }
        Found relisted = again.get(keyOf(c, again));
        if (relisted != null && !claimed.contains(relisted.fileKey()) && matches(relisted, c)) {
          resume(c, relisted);
          claimed.add(relisted.fileKey());
          LOG.info("Flow {}: resuming {} at offset {}", flow.id(), relisted.path(), c.offset());
          continue;
        }
        LOG.warn("Flow {}: {} (checkpointed at offset {}) is gone; its unsent lines, if any, are lost", flow.id(),
            c.path(), c.offset());
        continue;
      }
      resume(c, f);
      claimed.add(f.fileKey());
      LOG.info("Flow {}: {} changed while the agent was stopped; resuming at offset {} in its copy {}", flow.id(),
          c.path(), c.offset(), f.path());
    }
    restored.clear();
  }

  private void resume(FileCheckpoint c, Found f) throws IOException {
    Fingerprint fingerprint = new Fingerprint(c.fingerprintLength(), c.fingerprint());
    TrackedFile t = new TrackedFile(c.producerId(), f.path(), f.fileKey(), fingerprint, c.offset(),
        new RecordSplitter(flow, c.offset() == 0));
    t.savedFingerprint = fingerprint;
    t.open(f.path());
    t.size = f.size();
    files.add(t);
  }

  /**
   * Drops files gone from the glob once they are read to their end and nothing of them is held.
   * A listing that runs while a file is renamed may show it under neither name, so the folder is
   * listed again before a file is dropped: a file dropped and then found again would be read from
   * its start as a new file, under a new producer id.
   */
  void dropFinished() throws IOException {
    List<TrackedFile> finished = new ArrayList<>();
    for (TrackedFile t : files) {
      if (t.missing && !t.splitter.holdsRecord() && t.channel.size() <= t.readOffset) {
        finished.add(t);
      }
    }
    if (finished.isEmpty()) {
      return;
    }
    Map<Object, Found> found = new HashMap<>();
    list(found, new ArrayList<>());
    for (TrackedFile t : finished) {
      Found f = found.get(t.fileKey);
      if (f != null) {
        t.missing = false;
        t.path = f.path();
        continue;
      }
      LOG.info("Flow {}: {} is no longer under the glob and was read to its end; dropped", flow.id(), t.path);
      t.close();
      files.remove(t);
    }
  }

  /**
   * Where END_OF_FILE starts: after the last {@code \n} in the last 64 KiB, so a line being written
   * is sent whole once it is finished; the end itself if there is none.
   */
  private static long endOfLastLine(FileChannel channel, long size) throws IOException {
    int length = (int) Math.min(size, 64 * 1024);
    byte[] tail = Fingerprint.read(channel, size - length, length);
    if (tail != null) {
      for (int i = tail.length - 1; i >= 0; i--) {
        if (tail[i] == '\n') {
          return size - length + i + 1;
        }
      }
    }
    return size;
  }

  void closeAll() {
    files.forEach(TrackedFile::close);
  }

  private static @Nullable Object keyOf(FileCheckpoint c, Map<Object, Found> found) {
    for (Object key : found.keySet()) {
      if (key.toString().equals(c.fileKey())) {
        return key;
      }
    }
    return null;
  }

  private static boolean matches(Found f, FileCheckpoint c) throws IOException {
    if (f.size() < c.offset()) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(f.path(), StandardOpenOption.READ)) {
      return new Fingerprint(c.fingerprintLength(), c.fingerprint()).matches(ch);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /** An unclaimed file starting with {@code fingerprint}'s bytes and holding at least {@code offset} bytes. */
  private @Nullable Found copyOf(Fingerprint fingerprint, long offset, Map<Object, Found> found, Set<Object> claimed)
      throws IOException {
    for (Found f : found.values()) {
      if (claimed.contains(f.fileKey()) || f.size() < offset || f.size() < fingerprint.length()) {
        continue;
      }
      try (FileChannel ch = FileChannel.open(f.path(), StandardOpenOption.READ)) {
        if (fingerprint.matches(ch)) {
          return f;
        }
      } catch (NoSuchFileException e) {
        // gone meanwhile
      }
    }
    return null;
  }

  /**
   * Whether {@code f} holds the same first and last bytes as the start of a tracked file that is at
   * least as long: the copy half of a copy-truncate (possibly still being written), taken before
   * the truncation. A new file that merely starts like a tracked one (a shared header) is tracked
   * as soon as it differs.
   */
  private boolean isCopyInProgress(Found f) throws IOException {
    if (f.size() == 0) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(f.path(), StandardOpenOption.READ)) {
      int edge = (int) Math.min(f.size(), Fingerprint.MAX_BYTES);
      for (TrackedFile t : files) {
        if (t.channel == null || t.channel.size() < f.size()) {
          continue;
        }
        if (Fingerprint.sameBytes(ch, t.channel, 0, edge) && Fingerprint.sameBytes(ch, t.channel, f.size() - edge, edge)) {
          return true;
        }
      }
    } catch (NoSuchFileException e) {
      return true;
    }
    return false;
  }
}
