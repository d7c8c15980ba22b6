package dev.freshet.cli;

import dev.freshet.agent.Agent;
import dev.freshet.agent.AgentConfig;
import dev.freshet.sdk.stream.StreamClients;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code freshet agent}: the Kinesis Agent equivalent. Tails the files of each flow of an
 * agent.json-style configuration (YAML or JSON) into streams or delivery streams, until SIGTERM or
 * SIGINT; a status line per flow goes to stderr. A flow whose configuration names no {@code
 * kinesis.endpoint} writes to the store in {@code --data-dir}. See docs/agent.md.
 */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = {
      "Tail files into streams or delivery streams, like the Kinesis Agent: rotation by rename and "
          + "copy-truncate, multi-line records, SINGLELINE / CSVTOJSON / LOGTOJSON, a checkpoint file.",
      "Without kinesis.endpoint in the configuration, streams are in the store in --data-dir.",
      "Stops on Ctrl-C or SIGTERM after delivering and checkpointing what it has read."
    })
final class AgentCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "The agent configuration: agent.json's keys, in YAML or JSON.")
  Path config;

  @Override
  public Integer call() {
    Freshet root = Freshet.root(spec);
    if (!Files.isRegularFile(config)) {
      throw new CliException("the agent configuration " + config + " does not exist or is not a file");
    }
    AgentConfig agentConfig;
    Agent agent;
    try {
      agentConfig = AgentConfig.load(config, StreamClients.endpointOf(root.dataDir));
      agent = Agent.start(agentConfig, System.err);
    } catch (IllegalArgumentException | IOException e) {
      throw new CliException(e.getMessage(), e);
    }
    Thread hook = new Thread(() -> {
      agent.close();
      // A stop begun by a signal ends with status 128 + signal; a clean stop is a success.
      Runtime.getRuntime().halt(0);
    }, "freshet-agent-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    PrintWriter out = spec.commandLine().getOut();
    int flows = agentConfig.flows().size();
    out.printf("freshet agent running %d flow%s (checkpoints in %s)%n", flows, flows == 1 ? "" : "s",
        agentConfig.checkpointFile());
    out.flush();
    try {
      agent.awaitTermination();
      // Every flow ended by itself: each failed, and said why in the log.
      agent.close();
      spec.commandLine().getErr().println("error: every flow of the agent stopped; see the log above");
      spec.commandLine().getErr().flush();
      return 1;
    } catch (InterruptedException e) {
      // Stopped in-process: close as a signal would.
      agent.close();
      Thread.currentThread().interrupt();
      return 0;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running; it ends the process.
      }
    }
  }
}
