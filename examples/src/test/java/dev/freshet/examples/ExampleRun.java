package dev.freshet.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.freshet.runners.FreshetPipelineOptions;
import dev.freshet.runners.Runners;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Runs a registered example the way {@code freshet run NAME FLAGS} does (prepare, its pipeline on
 * the Direct runner, finish) and returns what it printed.
 */
public final class ExampleRun {
  private ExampleRun() {}

  /** Runs example {@code name} with {@code flags} ({@code --endpoint} among them) on the Direct runner. */
  public static String run(String name, String... flags) throws Exception {
    Examples.Example example = Examples.named(name).orElseThrow();
    PipelineOptionsFactory.register(example.options());
    List<String> args = new ArrayList<>(List.of("--runner=DirectRunner"));
    args.addAll(List.of(flags));
    FreshetPipelineOptions options = Runners.configure(args.toArray(String[]::new));
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text, true);
    example.program().prepare(options, out);
    Optional<Pipeline> pipeline = example.program().pipeline(options);
    if (pipeline.isPresent()) {
      assertThat(pipeline.get().run().waitUntilFinish()).isEqualTo(PipelineResult.State.DONE);
    }
    example.program().finish(options, out);
    out.flush();
    return text.toString();
  }
}
