package dev.freshet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileTracker} driven scan by scan on real files, with the application's rotation steps
 * placed at exact points of a scan (through the tracker's scan seam), where a running agent meets
 * them only by chance. What each proves: a file's content keeps the identity (producer id and
 * offset) it was read under, so the records of a copy are not sent again under a new producer id
 * (which the store could not recognise as repeats).
 */
class FileTrackerTest {
  @TempDir Path dir;

  private FlowConfig flow() {
    return AgentConfig.parse("kinesis.endpoint: file:" + dir.resolve("data") + "\n"
        + "flows:\n"
        + "  - filePattern: logs/app.log*\n"
        + "    kinesisStream: logs\n"
        + "    initialPosition: START_OF_FILE\n", dir, "agent.yaml").flows().get(0);
  }

  @Test
  void copyTruncateBetweenTheListingAndTheCheckKeepsTheIdentityInTheCopy() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path live = logs.resolve("app.log");
    List<String> written = new ArrayList<>();
    LogWriter writer = new LogWriter(live, "g1", written);
    writer.write(200);
    FileTracker tracker = new FileTracker(flow(), null);
    tracker.scan();
    TrackedFile original = only(tracker, live);
    readToEnd(tracker);
    long sent = original.readOffset;

    // The application copies and truncates while the scan has listed the folder but not yet
    // checked the files it tracks: the listing has no copy, the check sees the truncation.
    tracker.scanPoint = once("listed", () -> {
      Files.copy(live, logs.resolve("app.log.1"));
      writer.truncate();
      writer.group("g2");
      writer.write(10);
    });
    tracker.scan();
    tracker.scan();
    tracker.scan();
    writer.close();

    assertCopyCarriesOn(tracker, logs.resolve("app.log.1"), original.producerId, sent);
    assertThat(only(tracker, live).producerId).as("the truncated file's new content is a new file")
        .isNotEqualTo(original.producerId);
  }

  @Test
  void truncationBetweenTheCheckAndTheNewFilesDoesNotMakeTheCopyANewFile() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path live = logs.resolve("app.log");
    List<String> written = new ArrayList<>();
    LogWriter writer = new LogWriter(live, "g1", written);
    writer.write(200);
    FileTracker tracker = new FileTracker(flow(), null);
    tracker.scan();
    TrackedFile original = only(tracker, live);
    readToEnd(tracker);
    long sent = original.readOffset;

    // The copy is listed and the tracked file checked intact; the truncation comes before the
    // scan decides whether the copy is a new file.
    Files.copy(live, logs.resolve("app.log.1"));
    tracker.scanPoint = once("new-files", () -> {
      writer.truncate();
      writer.group("g2");
      writer.write(10);
    });
    tracker.scan();
    tracker.scan();
    tracker.scan();
    writer.close();

    assertCopyCarriesOn(tracker, logs.resolve("app.log.1"), original.producerId, sent);
  }

  @Test
  void aFileTheListingMissedWhileItWasRenamedIsNotReadAgain() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path live = logs.resolve("app.log");
    List<String> written = new ArrayList<>();
    try (LogWriter writer = new LogWriter(live, "g1", written)) {
      writer.write(200);
    }
    FileTracker tracker = new FileTracker(flow(), null);
    tracker.scan();
    TrackedFile original = only(tracker, live);
    readToEnd(tracker);
    long sent = original.readOffset;

    // A listing taken while app.log is renamed to app.log.1 may show it under neither name; here
    // it is out of the glob for that one scan, and under its rotated name by the next.
    Path between = logs.resolve("renaming");
    Files.move(live, between);
    tracker.scan();
    Files.move(between, logs.resolve("app.log.1"));
    tracker.dropFinished();
    tracker.scan();

    assertCopyCarriesOn(tracker, logs.resolve("app.log.1"), original.producerId, sent);
  }

  @Test
  void aFileRenamedOutOfTheGlobIsDroppedOnceReadToItsEnd() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path live = logs.resolve("app.log");
    try (LogWriter writer = new LogWriter(live, "g1", new ArrayList<>())) {
      writer.write(10);
    }
    FileTracker tracker = new FileTracker(flow(), null);
    tracker.scan();
    readToEnd(tracker);
    Files.move(live, logs.resolve("archived"));
    tracker.scan();
    tracker.dropFinished();
    assertThat(tracker.files()).isEmpty();
  }

  private static void assertCopyCarriesOn(FileTracker tracker, Path copy, String producerId, long offset) {
    TrackedFile t = only(tracker, copy);
    assertThat(t.producerId).as("the copy's producer id: the one its records were sent under").isEqualTo(producerId);
    assertThat(t.readOffset).as("the copy goes on where the original was read to").isEqualTo(offset);
    assertThat(tracker.files()).filteredOn(f -> f.producerId.equals(producerId)).as("one file per producer id")
        .hasSize(1);
  }

  /** As the flow does once it has read and delivered everything: offsets at each file's end. */
  private static void readToEnd(FileTracker tracker) throws IOException {
    for (TrackedFile t : tracker.files()) {
      t.readOffset = t.channel.size();
      t.ackedOffset = t.readOffset;
    }
  }

  private static TrackedFile only(FileTracker tracker, Path path) {
    List<TrackedFile> at = tracker.files().stream().filter(t -> t.path.equals(path)).toList();
    assertThat(at).as("tracked files at %s among %s", path, tracker.files()).hasSize(1);
    return at.get(0);
  }

  private interface Step {
    void run() throws IOException;
  }

  private static FileTracker.ScanPoint once(String point, Step step) {
    boolean[] done = {false};
    return reached -> {
      if (reached.equals(point) && !done[0]) {
        done[0] = true;
        step.run();
      }
    };
  }
}
