package dev.freshet.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The gallery cannot drift from the registry: every registered example has a folder whose README
 * names its {@code freshet run} command, every folder belongs to an example, the gallery index
 * lists every example, and the folders hold only documentation, SQL and configuration (the release
 * copies them as they are). Runs in the module folder, where the gallery's folders are.
 */
class GalleryTest {
  private static final Path GALLERY = Path.of("").toAbsolutePath();
  private static final Set<String> NOT_EXAMPLES = Set.of("src", "target");

  private static Set<String> folders() throws IOException {
    try (Stream<Path> entries = Files.list(GALLERY)) {
      return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString())
          .filter(name -> !NOT_EXAMPLES.contains(name) && !name.startsWith("."))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void everyExampleHasAFolderWhoseReadmeNamesItsRunCommand() throws IOException {
    assertThat(Examples.all()).isNotEmpty();
    for (Examples.Example example : Examples.all()) {
      Path readme = GALLERY.resolve(example.folder()).resolve("README.md");
      assertThat(readme).as(example.name()).isRegularFile();
      String text = Files.readString(readme, StandardCharsets.UTF_8);
      assertThat(text).as(readme.toString()).contains("./freshet run " + example.name());
      // What it shows, how to run it, what it prints.
      assertThat(text).as(readme.toString()).contains("## What it shows", "## How to run it", "## What it prints");
    }
  }

  @Test
  void everyFolderBelongsToAnExampleAndHoldsOnlyDocsSqlAndConfiguration() throws IOException {
    Set<String> used = Examples.all().stream().map(Examples.Example::folder).collect(Collectors.toSet());
    assertThat(folders()).isEqualTo(new TreeSet<>(used));
    for (String folder : folders()) {
      try (Stream<Path> files = Files.walk(GALLERY.resolve(folder))) {
        List<String> names = files.filter(p -> !p.equals(GALLERY.resolve(folder)))
            .map(p -> GALLERY.relativize(p).toString()).toList();
        assertThat(names).as(folder).allMatch(name -> name.matches("[a-z-]+/[a-z0-9-]+\\.(md|sql|yaml)")
            || name.equals(folder + "/README.md"));
      }
    }
  }

  /**
   * Beam keeps one set of options per JVM: an option that two examples declare with different
   * defaults makes registering the second fail, so freshet run could run one but not the other.
   */
  @Test
  void everyExamplesOptionsRegisterTogetherAndKeepTheirOwnDefaults() {
    for (Examples.Example example : Examples.all()) {
      org.apache.beam.sdk.options.PipelineOptionsFactory.register(example.options());
    }
    for (Examples.Example example : Examples.all()) {
      assertThat(dev.freshet.runners.Runners.configure("--runner=DirectRunner").as(example.options()))
          .as(example.name()).isNotNull();
    }
    assertThat(dev.freshet.runners.Runners.configure()
        .as(dev.freshet.examples.clickstream.TopPagesPipeline.Options.class).getClicksFrom()).isEqualTo("latest");
  }

  @Test
  void theIndexListsEveryExampleWithItsFolderAndCommand() throws IOException {
    String index = Files.readString(GALLERY.resolve("README.md"), StandardCharsets.UTF_8);
    for (Examples.Example example : Examples.all()) {
      assertThat(index).as(example.name()).contains("`" + example.name() + "`")
          .contains("(" + example.folder() + "/)");
    }
  }

  @Test
  void theFilesTheExamplesReadArePackedFromTheirFolders() throws IOException {
    for (String file : List.of("clickstream/top-pages.sql", "iot-sensors/sensor-stats.sql",
        "fraud-alerts/fraud-alerts.sql", "fraud-alerts/postgres.sql", "log-delivery/agent.yaml")) {
      try (var in = getClass().getClassLoader().getResourceAsStream("examples/" + file)) {
        assertThat(in).as(file).isNotNull();
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
            .isEqualTo(Files.readString(GALLERY.resolve(file), StandardCharsets.UTF_8));
      }
    }
  }
}
