package dev.freshet.kinesis.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.freshet.kinesis.log.PowerLossFiles.Crash;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fault model of {@link PowerLossFiles}, one rule per test. */
class PowerLossFilesTest {
  @TempDir Path dir;

  private Path root() throws IOException {
    return Files.createDirectories(dir.resolve("root"));
  }

  private static FileChannel create(PowerLossFiles files, Path file) throws IOException {
    return files.open(
        file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  private static void write(FileChannel channel, String text, long position) throws IOException {
    channel.write(ByteBuffer.wrap(text.getBytes(UTF_8)), position);
  }

  private Path image(PowerLossFiles files, Crash crash) throws IOException {
    files.crash();
    Path image = dir.resolve("image-" + System.nanoTime());
    files.writeImage(image, crash, new Random(7));
    return image;
  }

  @Test
  void keepsWhatWasForcedAndDropsWhatWasWrittenAfter() throws IOException {
    Path root = root();
    PowerLossFiles files = new PowerLossFiles(root);
    FileChannel channel = create(files, root.resolve("a.log"));
    files.forceDirectory(root);
    write(channel, "synced", 0);
    channel.force(false);
    write(channel, "+lost", 6);
    assertThat(Files.readString(root.resolve("a.log"))).isEqualTo("synced+lost");

    Path image = image(files, Crash.DROP_UNSYNCED);

    assertThat(Files.readString(image.resolve("a.log"))).isEqualTo("synced");
  }

  @Test
  void aForcedFileVanishesIfItsDirectoryWasNeverForced() throws IOException {
    Path root = root();
    PowerLossFiles files = new PowerLossFiles(root);
    files.createDirectory(root.resolve("sub"));
    files.forceDirectory(root);
    FileChannel channel = create(files, root.resolve("sub").resolve("a.log"));
    write(channel, "forced", 0);
    channel.force(true);

    Path image = image(files, Crash.DROP_UNSYNCED);

    assertThat(image.resolve("sub")).isDirectory();
    assertThat(image.resolve("sub").resolve("a.log")).doesNotExist();
  }

  @Test
  void aDirectoryCreatedButNotForcedIntoItsParentVanishesWithItsFiles() throws IOException {
    Path root = root();
    PowerLossFiles files = new PowerLossFiles(root);
    files.createDirectory(root.resolve("sub"));
    FileChannel channel = create(files, root.resolve("sub").resolve("a.log"));
    write(channel, "forced", 0);
    channel.force(true);
    files.forceDirectory(root.resolve("sub"));

    Path image = image(files, Crash.DROP_UNSYNCED);

    assertThat(image.resolve("sub")).doesNotExist();
  }

  @Test
  void aRenameIsUndoneUntilTheDirectoryIsForced() throws IOException {
    Path root = root();
    Files.writeString(root.resolve("meta"), "old");
    PowerLossFiles files = new PowerLossFiles(root);
    try (FileChannel channel = create(files, root.resolve("meta.tmp"))) {
      write(channel, "new", 0);
      channel.force(true);
    }
    files.move(root.resolve("meta.tmp"), root.resolve("meta"));

    Path image = image(files, Crash.DROP_UNSYNCED);

    assertThat(Files.readString(image.resolve("meta"))).isEqualTo("old");
    assertThat(image.resolve("meta.tmp")).doesNotExist();
  }

  @Test
  void aForcedRenameKeepsTheNewContents() throws IOException {
    Path root = root();
    Files.writeString(root.resolve("meta"), "old");
    PowerLossFiles files = new PowerLossFiles(root);
    try (FileChannel channel = create(files, root.resolve("meta.tmp"))) {
      write(channel, "new", 0);
      channel.force(true);
    }
    files.move(root.resolve("meta.tmp"), root.resolve("meta"));
    files.forceDirectory(root);

    Path image = image(files, Crash.DROP_UNSYNCED);

    assertThat(Files.readString(image.resolve("meta"))).isEqualTo("new");
  }

  @Test
  void anUnforcedTruncationIsUndone() throws IOException {
    Path root = root();
    Files.writeString(root.resolve("a.log"), "0123456789");
    PowerLossFiles files = new PowerLossFiles(root);
    try (FileChannel channel =
        files.open(root.resolve("a.log"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      channel.truncate(4);
    }

    Path image = image(files, Crash.DROP_UNSYNCED);

    assertThat(Files.readString(image.resolve("a.log"))).isEqualTo("0123456789");
  }

  @Test
  void aTornPageKeepsTheSyncedBytesAndEndsInGarbage() throws IOException {
    Path root = root();
    PowerLossFiles files = new PowerLossFiles(root);
    FileChannel channel = create(files, root.resolve("a.log"));
    files.forceDirectory(root);
    byte[] synced = new byte[5000];
    Arrays.fill(synced, (byte) 's');
    channel.write(ByteBuffer.wrap(synced), 0);
    channel.force(false);
    byte[] unsynced = new byte[PowerLossFiles.PAGE * 2];
    Arrays.fill(unsynced, (byte) 'u');
    channel.write(ByteBuffer.wrap(unsynced), synced.length);
    int size = synced.length + unsynced.length;

    byte[] image = Files.readAllBytes(image(files, Crash.TEAR_LAST_PAGE).resolve("a.log"));

    assertThat(image).hasSize(size);
    assertThat(Arrays.copyOf(image, synced.length)).isEqualTo(synced);
    int lastPage = (size - 1) / PowerLossFiles.PAGE * PowerLossFiles.PAGE;
    for (int i = synced.length; i < lastPage; i++) {
      assertThat(image[i]).as("byte %s, before the torn page", i).isIn((byte) 'u', (byte) 0);
    }
  }

  @Test
  void theMachineStopsAtTheChosenOperation() throws IOException {
    Path root = root();
    PowerLossFiles files = new PowerLossFiles(root);
    FileChannel channel = create(files, root.resolve("a.log"));
    files.crashAt(2);
    write(channel, "first", 0); // the first operation from now happens
    assertThatThrownBy(() -> write(channel, "second", 5)).isInstanceOf(IOException.class);
    assertThat(files.isDown()).isTrue();
    assertThatThrownBy(() -> channel.force(false)).isInstanceOf(IOException.class);
    assertThat(Files.readString(root.resolve("a.log"))).isEqualTo("first");
  }
}
