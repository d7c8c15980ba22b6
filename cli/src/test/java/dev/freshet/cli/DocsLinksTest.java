package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in {@code README.md} and {@code docs/*.md} points to a file or folder that
 * exists: a cheap check that the docs do not drift from the repository when pages or code move.
 * Links with a scheme ({@code https:}, {@code mailto:}) and same-page anchors are not checked;
 * links inside code (fenced blocks, inline code spans) are not links.
 */
class DocsLinksTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern INLINE = Pattern.compile("\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s+.*)?$");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

  /** The relative link targets of a Markdown page, outside code, without their #fragments. */
  static List<String> relativeLinks(List<String> lines) {
    List<String> links = new ArrayList<>();
    boolean inFence = false;
    for (String line : lines) {
      if (line.strip().startsWith("```")) {
        inFence = !inFence;
        continue;
      }
      if (inFence) {
        continue;
      }
      String text = line.replaceAll("`[^`]*`", "``");
      List<String> targets = new ArrayList<>();
      Matcher inline = INLINE.matcher(text);
      while (inline.find()) {
        targets.add(inline.group(1));
      }
      Matcher reference = REFERENCE.matcher(text);
      if (reference.matches()) {
        targets.add(reference.group(1));
      }
      for (String target : targets) {
        if (SCHEME.matcher(target).find() || target.startsWith("#")) {
          continue;
        }
        int hash = target.indexOf('#');
        links.add(hash < 0 ? target : target.substring(0, hash));
      }
    }
    return links;
  }

  @Test
  void everyRelativeLinkOfTheDocsPointsToAnExistingFile() throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(ROOT.resolve("README.md"));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    assertThat(pages).as("pages").hasSizeGreaterThan(10);

    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path page : pages) {
      for (String link : relativeLinks(Files.readAllLines(page, StandardCharsets.UTF_8))) {
        checked++;
        Path target = page.getParent().resolve(link).normalize();
        if (!Files.exists(target)) {
          broken.add(ROOT.relativize(page) + ": (" + link + ") -> " + ROOT.relativize(target) + " does not exist");
        }
      }
    }
    assertThat(checked).as("relative links checked").isGreaterThan(50);
    assertThat(broken).as("broken relative links").isEmpty();
  }

  @Test
  void findsInlineAndReferenceLinksButNotCodeOrAbsoluteOnes() {
    List<String> links = relativeLinks(List.of(
        "See [the server](server.md#flags) and [home](https://example.com), [top](#top).",
        "`[not a link](nowhere.md)` but [a folder](../docs) \"and\" [titled](store.md \"The store\")",
        "```java",
        "array[i](x.md)",
        "```",
        "[ref]: runners.md"));
    assertThat(links).containsExactly("server.md", "../docs", "store.md", "runners.md");
  }
}
