package dev.freshet.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the freshet command in-process on a data folder and captures what it prints. */
final class Cli {
  record Result(int exitCode, String out, String err) {
    List<String> lines() {
      return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
  }

  private final Path dataDir;

  Cli(Path dataDir) {
    this.dataDir = dataDir;
  }

  /** Runs {@code freshet ARGS --data-dir DIR}; arguments are passed as their {@code toString()}. */
  Result run(Object... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> withDataDir = new ArrayList<>();
    for (Object arg : args) {
      withDataDir.add(arg.toString());
    }
    withDataDir.add("--data-dir");
    withDataDir.add(dataDir.toString());
    int exitCode = Freshet.commandLine()
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(withDataDir.toArray(String[]::new));
    return new Result(exitCode, out.toString(), err.toString());
  }
}
