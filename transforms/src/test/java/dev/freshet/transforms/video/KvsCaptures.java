package dev.freshet.transforms.video;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real GetMedia captures in {@code ../shared/testdata/kvs} beside the repository, and what
 * ffmpeg's own tools (Debian's ffmpeg, installed by {@code .ci/run}) say about them: the
 * independent reference the decoder is checked against.
 */
final class KvsCaptures {
  private KvsCaptures() {}

  static Path file(String name) {
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared/testdata/kvs").resolve(name);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("shared/testdata/kvs/" + name + " was not found above "
        + Paths.get("").toAbsolutePath() + ": the tests expect ../shared beside the repository");
  }

  static byte[] bytes(String name) throws IOException {
    return Files.readAllBytes(file(name));
  }

  /** The presentation times, in milliseconds from the first, that ffprobe reads for each video frame. */
  static List<Long> ffprobeFrameMillis(Path file) throws IOException, InterruptedException {
    List<Long> millis = new ArrayList<>();
    for (String line : run("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
        "frame=pts_time", "-of", "csv=p=0", file.toString())) {
      String value = line.replace(",", "").trim();
      if (!value.isEmpty()) {
        millis.add(Math.round(Double.parseDouble(value) * 1000));
      }
    }
    return millis;
  }

  /** The first {@code frames} frames as ffmpeg decodes them, packed RGB. */
  static byte[] ffmpegRgb(Path file, int frames) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("ffmpeg", "-v", "error", "-i", file.toString(), "-frames:v",
        Integer.toString(frames), "-f", "rawvideo", "-pix_fmt", "rgb24", "-").start();
    byte[] out;
    try (InputStream in = process.getInputStream()) {
      out = in.readAllBytes();
    }
    finish(process, "ffmpeg");
    return out;
  }

  private static List<String> run(String... command) throws IOException, InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new IOException(command[0] + " is needed as the reference decoder: install Debian's ffmpeg "
          + "(.ci/run does)", e);
    }
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lines.add(line);
      }
    }
    finish(process, command[0]);
    return lines;
  }

  private static void finish(Process process, String name) throws IOException, InterruptedException {
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IOException(name + " did not finish");
    }
    if (process.exitValue() != 0) {
      throw new IOException(name + " failed: " + new String(process.getErrorStream().readAllBytes(),
          StandardCharsets.UTF_8));
    }
  }
}
