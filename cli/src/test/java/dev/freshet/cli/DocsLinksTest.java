package dev.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in {@code README.md} and {@code docs/*.md} points to a file or folder that
 * exists, and a {@code #fragment} into a Markdown page names one of its headings (GitHub's anchor
 * for it): a cheap check that the docs do not drift from the repository when pages, sections or
 * code move. Links with a scheme ({@code https:}, {@code mailto:}) are not checked; links inside
 * code (fenced blocks, inline code spans) are not links.
 */
class DocsLinksTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern INLINE = Pattern.compile("\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s+.*)?$");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

  /** The relative link targets of a Markdown page, outside code, with their #fragments. */
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
        if (!SCHEME.matcher(target).find()) {
          links.add(target);
        }
      }
    }
    return links;
  }

  /**
   * The anchors GitHub gives a page's headings: lower case, every character but letters, digits,
   * spaces, hyphens and underscores dropped, spaces made hyphens, repeats numbered {@code -1},
   * {@code -2}, …
   */
  static Set<String> anchors(List<String> lines) {
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean inFence = false;
    for (String line : lines) {
      if (line.strip().startsWith("```")) {
        inFence = !inFence;
        continue;
      }
      Matcher heading = HEADING.matcher(line);
      if (inFence || !heading.matches()) {
        continue;
      }
      String slug = heading.group(1).strip().toLowerCase(Locale.ROOT)
          .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
      int count = seen.merge(slug, 1, Integer::sum);
      anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
    }
    return anchors;
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
        int hash = link.indexOf('#');
        String file = hash < 0 ? link : link.substring(0, hash);
        Path target = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!Files.exists(target)) {
          broken.add(ROOT.relativize(page) + ": (" + link + ") -> " + ROOT.relativize(target) + " does not exist");
        } else if (hash >= 0 && target.toString().endsWith(".md")
            && !anchors(Files.readAllLines(target, StandardCharsets.UTF_8)).contains(link.substring(hash + 1))) {
          broken.add(ROOT.relativize(page) + ": (" + link + ") -> no heading of " + ROOT.relativize(target)
              + " has the anchor #" + link.substring(hash + 1));
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
    assertThat(links).containsExactly("server.md#flags", "#top", "../docs", "store.md", "runners.md");
  }

  @Test
  void anchorsAreGitHubs() {
    assertThat(anchors(List.of("# `freshet server`: the Kinesis API", "## Peers (bench/peers.sh)",
        "```sh", "# a comment", "```", "## Notes", "## Notes", "### Top-N per window")))
        .containsExactlyInAnyOrder("freshet-server-the-kinesis-api", "peers-benchpeerssh", "notes", "notes-1",
            "top-n-per-window");
  }
}
