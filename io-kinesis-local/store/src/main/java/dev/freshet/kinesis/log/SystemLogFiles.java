package dev.freshet.kinesis.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/** {@link LogFiles} on the real file system. */
final class SystemLogFiles implements LogFiles {
  static final SystemLogFiles INSTANCE = new SystemLogFiles();

  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");

  private SystemLogFiles() {}

  @Override
  public FileChannel open(Path file, OpenOption... options) throws IOException {
    return FileChannel.open(file, options);
  }

  @Override
  public void createDirectory(Path dir) throws IOException {
    Files.createDirectory(dir);
  }

  @Override
  public void move(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void deleteIfExists(Path path) throws IOException {
    Files.deleteIfExists(path);
  }

  @Override
  public void forceDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Windows refuses to open a folder for sync; its entries are then as durable as it makes them.
      if (!WINDOWS) {
        throw e;
      }
    }
  }

  @Override
  public String toString() {
    return "LogFiles.system()";
  }
}
