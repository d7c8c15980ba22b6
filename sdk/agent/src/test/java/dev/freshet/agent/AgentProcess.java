package dev.freshet.agent;

import java.nio.file.Path;

/** {@link AgentCrashIT}'s child JVM: runs the agent on a configuration file until killed or stopped. */
public final class AgentProcess {
  private AgentProcess() {}

  public static void main(String[] args) throws Exception {
    Agent agent = Agent.start(AgentConfig.load(Path.of(args[0])), System.err);
    Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "agent-shutdown"));
    agent.awaitTermination();
  }
}
