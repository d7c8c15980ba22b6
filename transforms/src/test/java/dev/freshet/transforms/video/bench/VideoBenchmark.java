package dev.freshet.transforms.video.bench;

import dev.freshet.transforms.video.FrameDecoder;
import dev.freshet.transforms.video.UndecodableFragmentException;
import dev.freshet.transforms.video.VideoFragment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Decoding speed on one core: {@link FrameDecoder#jcodec()}, {@link FrameDecoder#ffmpeg()} (one
 * decoding thread) and the {@code ffmpeg -threads 1 ... -f null -} command line, on the same
 * H.264 Matroska files, in the same run. Each file is decoded once to warm up, then {@code rounds}
 * times; the best round counts (least disturbed by other work on the machine).
 *
 * <p>Then PutMedia ingest: a file (high bitrate, so that bytes dominate) put into an in-process server's video service over
 * HTTP (chunked, as producers send it; durability {@code os}) against a plain copy of the same file
 * on the same disk.
 *
 * <p>Arguments: {@code rounds scratchDir ingest.mkv label=file.mkv...}. Prints tables, then {@code key=value}
 * lines.
 */
public final class VideoBenchmark {
  private VideoBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    Path scratch = Paths.get(args[1]);
    Path ingest = Paths.get(args[2]);
    Map<String, Path> files = new LinkedHashMap<>();
    for (int i = 3; i < args.length; i++) {
      String[] pair = args[i].split("=", 2);
      files.put(pair[0], Paths.get(pair[1]));
    }
    List<String> keys = new ArrayList<>();
    System.out.printf(Locale.ROOT, "%-8s %8s %12s %12s %12s %14s%n", "video", "frames", "jcodec fps",
        "ffmpeg fps", "cli fps", "ffmpeg/cli");
    String last = null;
    for (Map.Entry<String, Path> entry : files.entrySet()) {
      String label = entry.getKey();
      byte[] mkv = Files.readAllBytes(entry.getValue());
      VideoFragment whole = VideoFragment.of(label, "1", Instant.EPOCH, Instant.EPOCH, mkv);
      int frames = FrameDecoder.ffmpeg().decode(whole).size();
      double jcodec = best(rounds, () -> FrameDecoder.jcodec().decode(whole).size(), frames);
      double ffmpeg = best(rounds, () -> FrameDecoder.ffmpeg().decode(whole).size(), frames);
      double cli = best(rounds, () -> {
        cli(entry.getValue());
        return frames;
      }, frames);
      System.out.printf(Locale.ROOT, "%-8s %8d %12.1f %12.1f %12.1f %14.2f%n", label, frames, jcodec, ffmpeg,
          cli, ffmpeg / cli);
      keys.add(String.format(Locale.ROOT, "video.jcodec.fps.%s=%.1f", label, jcodec));
      keys.add(String.format(Locale.ROOT, "video.ffmpeg.fps.%s=%.1f", label, ffmpeg));
      keys.add(String.format(Locale.ROOT, "video.cli.fps.%s=%.1f", label, cli));
      keys.add(String.format(Locale.ROOT, "video.ratio.cli.%s=%.2f", label, ffmpeg / cli));
      last = String.format(Locale.ROOT, "video.jcodec.fps=%.1f%nvideo.ffmpeg.fps=%.1f%nvideo.cli.fps=%.1f%n"
          + "video.ratio.cli=%.2f", jcodec, ffmpeg, cli, ffmpeg / cli);
    }
    keys.addAll(IngestBenchmark.run(scratch, ingest, rounds));
    System.out.println();
    keys.forEach(System.out::println);
    // The unsuffixed keys are the last (largest) file's.
    System.out.println(last);
  }

  interface Decode {
    int frames() throws Exception;
  }

  /** Frames per second of the fastest of {@code rounds} runs, after one warm-up run. */
  private static double best(int rounds, Decode decode, int expected) throws Exception {
    check(decode.frames(), expected);
    long fastest = Long.MAX_VALUE;
    for (int i = 0; i < rounds; i++) {
      long start = System.nanoTime();
      int frames = decode.frames();
      fastest = Math.min(fastest, System.nanoTime() - start);
      check(frames, expected);
    }
    return expected / (fastest / 1e9);
  }

  private static void check(int frames, int expected) throws UndecodableFragmentException {
    if (frames != expected) {
      throw new UndecodableFragmentException("decoded " + frames + " frames, expected " + expected);
    }
  }

  /** Runs the command line decoder on one thread over the whole file. */
  private static void cli(Path file) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("ffmpeg", "-v", "error", "-nostdin", "-threads", "1", "-i",
        file.toString(), "-map", "0:v:0", "-f", "null", "-").redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IOException("ffmpeg failed: " + new String(output, java.nio.charset.StandardCharsets.UTF_8));
    }
  }
}
