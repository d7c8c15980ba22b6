package dev.freshet.examples;

import static com.google.common.base.Preconditions.checkArgument;

import dev.freshet.runners.FreshetPipelineOptions;
import dev.freshet.sql.FreshetSql;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.jspecify.annotations.Nullable;

/**
 * The SQL examples' scripts: {@code CREATE EXTERNAL TABLE} statements and one {@code INSERT INTO},
 * separated by {@code ;}, with {@code --} comments. Each script is a file of the example's folder
 * ({@code examples/<folder>/<name>.sql} in the repository), packed into this jar under {@code
 * examples/<folder>/}, so the jar runs it as it is and {@code --sqlFile} runs an edited copy. The
 * same text can be pasted into {@code freshet sql}.
 */
public final class SqlScripts {
  private SqlScripts() {}

  /** The text of {@code file} when given, otherwise of the packed script {@code resource}. */
  public static String load(String resource, @Nullable String file) {
    try {
      if (file != null && !file.isBlank()) {
        return Files.readString(Path.of(file), StandardCharsets.UTF_8);
      }
      try (InputStream in = SqlScripts.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("the example's SQL " + resource + " is not in the jar");
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + (file != null ? file : resource), e);
    }
  }

  /** The statements of {@code script}: comments removed, split at {@code ;}, blank ones dropped. */
  public static List<String> statements(String script) {
    StringBuilder text = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      int comment = commentStart(line);
      text.append(comment < 0 ? line : line.substring(0, comment)).append('\n');
    }
    List<String> statements = new ArrayList<>();
    for (String statement : text.toString().split(";")) {
      if (!statement.isBlank()) {
        statements.add(statement.strip());
      }
    }
    return statements;
  }

  /** Where {@code --} starts a comment on {@code line}, outside quotes; -1 if it does not. */
  private static int commentStart(String line) {
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (!quoted && c == '-' && i + 1 < line.length() && line.charAt(i + 1) == '-') {
        return i;
      }
    }
    return -1;
  }

  /**
   * A pipeline of {@code options} running {@code script}: its DDL creates the tables in a catalog
   * of its own (a temporary folder, removed once the pipeline is built, so the data folder's
   * catalog is left alone), with {@code --endpoint} as the tables' endpoint; its one query (the
   * {@code INSERT INTO}) is the pipeline.
   *
   * @throws IllegalArgumentException when a statement does not parse or plan, or the script holds
   *     no query or more than one
   */
  public static Pipeline pipeline(FreshetPipelineOptions options, String script) throws IOException {
    List<String> statements = statements(script);
    Path catalog = Files.createTempDirectory("freshet-example-catalog-");
    try {
      FreshetSql sql = FreshetSql.open(catalog, options.getEndpoint());
      Pipeline pipeline = Pipeline.create(options);
      int queries = 0;
      for (String statement : statements) {
        if (statement.regionMatches(true, 0, "CREATE", 0, 6) || statement.regionMatches(true, 0, "DROP", 0, 4)) {
          sql.execute(statement);
        } else {
          checkArgument(++queries == 1, "an example script holds one query (its INSERT INTO), but this one has "
              + "another: %s", statement);
          sql.query(pipeline, statement);
        }
      }
      checkArgument(queries == 1, "the script holds no query: it needs one INSERT INTO after its tables");
      return pipeline;
    } finally {
      try (Stream<Path> files = Files.walk(catalog)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }
}
