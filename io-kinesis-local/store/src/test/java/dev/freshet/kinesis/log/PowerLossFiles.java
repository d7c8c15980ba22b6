package dev.freshet.kinesis.log;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A {@link LogFiles} that simulates losing the machine, as RocksDB's fault-injection file system
 * and Jepsen's LazyFS do: the files are real (the store reads them as usual), and beside them this
 * class keeps what a disk would hold after a loss of power.
 *
 * <p>The fault model:
 *
 * <ul>
 *   <li>A file's contents are durable up to its last {@code force}: every write and truncation
 *       since then is lost. Forcing also makes the file's size durable (as {@code fdatasync}).
 *   <li>A directory's entries are durable as of its last {@link #forceDirectory}: a file or
 *       directory created, renamed or deleted since then is, after the crash, as it was then. A
 *       file created and forced, but whose directory was never forced, vanishes. A file renamed
 *       over another comes back with the old one's durable contents.
 *   <li>Bytes made durable never change afterwards, torn pages included.
 *   <li>In the {@link Crash#TEAR_LAST_PAGE} variant the file's unsynced size reached the disk, the
 *       unsynced pages before the last one either all reached it or all read as zeros, and the
 *       last page holds what was written up to a random point and garbage after it.
 * </ul>
 *
 * <p>The machine stops at a chosen operation ({@link #crashAt}) or at once ({@link #crash}): that
 * operation and every later one through this object, channels included, fail with an {@link
 * IOException}, so writers in the middle of a batch stop there. {@link #writeImage} then writes
 * what the disk holds into a fresh folder, on which a new store or log recovers.
 *
 * <p>Only operations through this object are tracked; a file it did not see created (the store's
 * lock file, say) is not in the image unless it was there when this object was made. Real files
 * are never forced: durability here is simulated, so the tests run at memory speed.
 */
public final class PowerLossFiles implements LogFiles {
  /** What the disk holds after the crash. */
  public enum Crash {
    /** Every byte written after a file's last force is gone. */
    DROP_UNSYNCED,
    /** As {@link #DROP_UNSYNCED}, but the unsynced tail's last page is torn with garbage. */
    TEAR_LAST_PAGE
  }

  static final int PAGE = 4096;

  private abstract static class Node {}

  private static final class FileNode extends Node {
    byte[] durable;
    /** Writes ({@link Write}) and truncations ({@link Long}) since the last force, in order. */
    final List<Object> pending = new ArrayList<>();

    FileNode(byte[] durable) {
      this.durable = durable;
    }
  }

  private static final class DirNode extends Node {
    final Map<String, Node> live = new HashMap<>();
    Map<String, Node> durable = new HashMap<>();
  }

  private record Write(long position, byte[] bytes) {}

  private final Path root;
  private final DirNode rootNode = new DirNode();
  private final Object state = new Object();
  // Guarded by state.
  private long operations;
  private long crashAt = Long.MAX_VALUE;
  private volatile boolean down;

  /**
   * Tracks the files under {@code root}, which must exist; everything already there counts as
   * durable.
   */
  public PowerLossFiles(Path root) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    checkArgument(Files.isDirectory(this.root), "%s is not a directory", this.root);
    adopt(this.root, rootNode);
  }

  private static void adopt(Path dir, DirNode node) throws IOException {
    List<Path> children;
    try (Stream<Path> list = Files.list(dir)) {
      children = list.toList();
    }
    for (Path child : children) {
      String name = child.getFileName().toString();
      Node adopted;
      if (Files.isDirectory(child)) {
        DirNode sub = new DirNode();
        adopt(child, sub);
        adopted = sub;
      } else {
        adopted = new FileNode(Files.readAllBytes(child));
      }
      node.live.put(name, adopted);
      node.durable.put(name, adopted);
    }
  }

  // ---- the crash ----

  /**
   * The machine loses power at the {@code operation}-th changing operation (write, truncate,
   * force, create, rename, delete, directory force) from now, counting from 1; that one does not
   * happen.
   */
  public void crashAt(long operation) {
    checkArgument(operation >= 1, "operation must be at least 1, but was: %s", operation);
    synchronized (state) {
      crashAt = operations + operation;
    }
  }

  /** The machine loses power now. */
  public void crash() {
    synchronized (state) {
      down = true;
    }
  }

  public boolean isDown() {
    return down;
  }

  /** Changing operations so far. */
  public long operations() {
    synchronized (state) {
      return operations;
    }
  }

  /** Counts one changing operation, or fails it if the machine is down or goes down at it. */
  private void operation() throws IOException {
    checkAlive();
    operations++;
    if (operations >= crashAt) {
      down = true;
      throw new IOException("simulated power loss");
    }
  }

  private void checkAlive() throws IOException {
    if (down) {
      throw new IOException("simulated power loss: the machine is down");
    }
  }

  /**
   * Writes what the disk holds after the crash into {@code target} (which must not exist or be
   * empty). Returns the number of files whose image differs from their contents before the crash.
   */
  public int writeImage(Path target, Crash crash, Random random) throws IOException {
    synchronized (state) {
      checkState(down, "the machine is still running; crash() first");
      Files.createDirectories(target);
      return writeDir(rootNode, target, crash, random);
    }
  }

  private static int writeDir(DirNode dir, Path target, Crash crash, Random random)
      throws IOException {
    int changed = 0;
    for (Map.Entry<String, Node> entry : dir.durable.entrySet()) {
      Path path = target.resolve(entry.getKey());
      if (entry.getValue() instanceof DirNode sub) {
        Files.createDirectory(path);
        changed += writeDir(sub, path, crash, random);
      } else {
        FileNode file = (FileNode) entry.getValue();
        byte[] image = image(file, crash, random);
        Files.write(path, image);
        if (!file.pending.isEmpty()) {
          changed++;
        }
      }
    }
    return changed;
  }

  private static byte[] image(FileNode file, Crash crash, Random random) {
    byte[] synced = file.durable;
    if (crash == Crash.DROP_UNSYNCED || file.pending.isEmpty()) {
      return synced;
    }
    byte[] cached = apply(synced, file.pending);
    if (cached.length <= synced.length) {
      return synced; // nothing written past the durable end; overwrites are not modelled
    }
    byte[] image = Arrays.copyOf(synced, cached.length);
    int lastPage = (cached.length - 1) / PAGE * PAGE;
    int tornFrom = Math.max(lastPage, synced.length);
    if (random.nextBoolean()) {
      // The pages before the last reached the disk; otherwise they read as zeros.
      System.arraycopy(cached, synced.length, image, synced.length, tornFrom - synced.length);
    }
    int cut = tornFrom + random.nextInt(cached.length - tornFrom + 1);
    System.arraycopy(cached, tornFrom, image, tornFrom, cut - tornFrom);
    for (int i = cut; i < image.length; i++) {
      image[i] = (byte) random.nextInt(256);
    }
    return image;
  }

  /** The contents after {@code ops} on top of {@code base}. */
  private static byte[] apply(byte[] base, List<Object> ops) {
    byte[] bytes = base.clone();
    int length = base.length;
    for (Object op : ops) {
      if (op instanceof Write write) {
        int end = Math.toIntExact(write.position() + write.bytes().length);
        if (end > bytes.length) {
          bytes = Arrays.copyOf(bytes, Math.max(end, bytes.length * 2));
        }
        if (write.position() > length) {
          Arrays.fill(bytes, length, (int) write.position(), (byte) 0);
        }
        System.arraycopy(write.bytes(), 0, bytes, (int) write.position(), write.bytes().length);
        length = Math.max(length, end);
      } else {
        long size = (Long) op;
        if (size < length) {
          length = (int) size;
        }
      }
    }
    return bytes.length == length ? bytes : Arrays.copyOf(bytes, length);
  }

  // ---- the namespace ----

  private DirNode dirNode(Path dir) {
    Node node = node(dir);
    checkState(node instanceof DirNode, "%s is not a tracked directory", dir);
    return (DirNode) node;
  }

  private Node node(Path path) {
    Path relative = relative(path);
    Node node = rootNode;
    if (relative.toString().isEmpty()) {
      return node;
    }
    for (Path name : relative) {
      node = node instanceof DirNode dir ? dir.live.get(name.toString()) : null;
      if (node == null) {
        return null;
      }
    }
    return node;
  }

  private Path relative(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    checkArgument(absolute.startsWith(root), "%s is outside the tracked folder %s", path, root);
    return root.relativize(absolute);
  }

  private DirNode parentOf(Path path) {
    return dirNode(path.toAbsolutePath().normalize().getParent());
  }

  private static String nameOf(Path path) {
    return path.toAbsolutePath().normalize().getFileName().toString();
  }

  @Override
  public FileChannel open(Path file, OpenOption... options) throws IOException {
    Set<OpenOption> set = Set.of(options);
    boolean create =
        set.contains(StandardOpenOption.CREATE) || set.contains(StandardOpenOption.CREATE_NEW);
    boolean truncate =
        set.contains(StandardOpenOption.TRUNCATE_EXISTING)
            && set.contains(StandardOpenOption.WRITE);
    checkArgument(!set.contains(StandardOpenOption.APPEND), "APPEND is not modelled");
    synchronized (state) {
      checkAlive();
      Node node = node(file);
      if (node == null) {
        if (!create) {
          throw new java.nio.file.NoSuchFileException(file.toString());
        }
        operation();
        FileChannel channel = FileChannel.open(file, options);
        FileNode created = new FileNode(new byte[0]);
        parentOf(file).live.put(nameOf(file), created);
        return new Channel(channel, created);
      }
      checkState(node instanceof FileNode, "%s is a directory", file);
      FileNode existing = (FileNode) node;
      if (truncate) {
        operation();
      }
      FileChannel channel = FileChannel.open(file, options);
      if (truncate) {
        existing.pending.add(0L);
      }
      return new Channel(channel, existing);
    }
  }

  @Override
  public void createDirectory(Path dir) throws IOException {
    synchronized (state) {
      operation();
      Files.createDirectory(dir);
      parentOf(dir).live.put(nameOf(dir), new DirNode());
    }
  }

  @Override
  public void move(Path source, Path target) throws IOException {
    synchronized (state) {
      operation();
      Files.move(
          source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Node node = parentOf(source).live.remove(nameOf(source));
      checkState(node != null, "%s was not tracked", source);
      parentOf(target).live.put(nameOf(target), node);
    }
  }

  @Override
  public void deleteIfExists(Path path) throws IOException {
    synchronized (state) {
      operation();
      if (Files.deleteIfExists(path)) {
        parentOf(path).live.remove(nameOf(path));
      }
    }
  }

  @Override
  public void forceDirectory(Path dir) throws IOException {
    synchronized (state) {
      operation();
      DirNode node = dirNode(dir);
      node.durable = new HashMap<>(node.live);
    }
  }

  @Override
  public String toString() {
    return "PowerLossFiles[" + root + "]";
  }

  /** A real channel whose writes, truncations and forces are also recorded in the model. */
  private final class Channel extends FileChannel {
    private final FileChannel real;
    private final FileNode node;

    Channel(FileChannel real, FileNode node) {
      this.real = real;
      this.node = node;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      checkAlive();
      return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      checkAlive();
      return real.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      checkAlive();
      return real.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      synchronized (state) {
        return write(src, real.position(), true);
      }
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      synchronized (state) {
        return write(src, position, false);
      }
    }

    private int write(ByteBuffer src, long position, boolean relative) throws IOException {
      operation();
      byte[] bytes = new byte[src.remaining()];
      src.duplicate().get(bytes);
      int written = relative ? real.write(src) : real.write(src, position);
      node.pending.add(new Write(position, Arrays.copyOf(bytes, written)));
      return written;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
      throw new UnsupportedOperationException("gathering writes are not modelled");
    }

    @Override
    public long position() throws IOException {
      return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      real.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      checkAlive();
      return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      synchronized (state) {
        operation();
        real.truncate(size);
        node.pending.add(size);
      }
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      synchronized (state) {
        operation();
        node.durable = apply(node.durable, node.pending);
        node.pending.clear();
      }
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) {
      throw new UnsupportedOperationException("transferTo is not modelled");
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
      throw new UnsupportedOperationException("transferFrom is not modelled");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException("mapping is not modelled");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      real.close();
    }
  }
}
