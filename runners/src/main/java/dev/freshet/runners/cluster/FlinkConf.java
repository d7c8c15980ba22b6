package dev.freshet.runners.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The generated {@code flink-conf.yaml} and the JVM flags that must agree with it. Everything
 * binds to loopback; checkpoints, savepoints, RocksDB's working files and temporary files live in
 * the cluster folder, so deleting the data folder removes every trace.
 */
final class FlinkConf {
  static final String JOB_MANAGER_MAIN =
      "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

  private static final int JOB_MANAGER_OFF_HEAP = 128;
  private static final int JOB_MANAGER_METASPACE = 256;
  private static final int JOB_MANAGER_OVERHEAD = 192;

  /**
   * What Flink's own default configuration passes on Java 17: Kryo and Flink's serializers reach
   * into these JDK packages.
   */
  private static final List<String> JAVA_17_OPENS =
      List.of(
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private final ClusterSpec spec;

  FlinkConf(ClusterSpec spec) {
    this.spec = spec;
  }

  Path confDir() {
    return spec.clusterDir().resolve("conf");
  }

  Path clusterDir() {
    return spec.clusterDir();
  }

  Path pluginsDir() {
    return spec.clusterDir().resolve("plugins");
  }

  Path logDir() {
    return spec.clusterDir().resolve("log");
  }

  Path checkpointsDir() {
    return spec.clusterDir().resolve("checkpoints");
  }

  Path savepointsDir() {
    return spec.clusterDir().resolve("savepoints");
  }

  /** The configuration, in the order it is written. */
  Map<String, String> entries() {
    Path dir = spec.clusterDir();
    TaskManagerMemory tm = spec.taskManagerMemory();
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("jobmanager.rpc.address", "localhost");
    conf.put("jobmanager.rpc.port", Integer.toString(spec.rpcPort()));
    conf.put("jobmanager.bind-host", "127.0.0.1");
    conf.put("rest.address", "localhost");
    conf.put("rest.bind-address", "127.0.0.1");
    conf.put("rest.port", Integer.toString(spec.restPort()));
    conf.put("taskmanager.host", "localhost");
    conf.put("taskmanager.bind-host", "127.0.0.1");
    conf.put("taskmanager.rpc.port", "0");
    conf.put("taskmanager.data.port", "0");
    conf.put("blob.server.port", "0");
    conf.put("metrics.internal.query-service.port", "0");

    conf.put("jobmanager.memory.heap.size", spec.jobManagerHeap() + "m");
    conf.put("jobmanager.memory.off-heap.size", JOB_MANAGER_OFF_HEAP + "m");
    conf.put("jobmanager.memory.jvm-metaspace.size", JOB_MANAGER_METASPACE + "m");
    conf.put("jobmanager.memory.jvm-overhead.min", JOB_MANAGER_OVERHEAD + "m");
    conf.put("jobmanager.memory.jvm-overhead.max", JOB_MANAGER_OVERHEAD + "m");

    conf.put("taskmanager.numberOfTaskSlots", Integer.toString(spec.slotsPerTaskManager()));
    conf.put("taskmanager.cpu.cores", spec.slotsPerTaskManager() + ".0");
    conf.put("taskmanager.memory.framework.heap.size", tm.frameworkHeap() + "m");
    conf.put("taskmanager.memory.task.heap.size", tm.taskHeap() + "m");
    conf.put("taskmanager.memory.managed.size", tm.managed() + "m");
    conf.put("taskmanager.memory.framework.off-heap.size", tm.frameworkOffHeap() + "m");
    conf.put("taskmanager.memory.task.off-heap.size", tm.taskOffHeap() + "m");
    conf.put("taskmanager.memory.network.min", tm.network() + "m");
    conf.put("taskmanager.memory.network.max", tm.network() + "m");
    conf.put("taskmanager.memory.jvm-metaspace.size", tm.metaspace() + "m");
    conf.put("taskmanager.memory.jvm-overhead.min", tm.jvmOverhead() + "m");
    conf.put("taskmanager.memory.jvm-overhead.max", tm.jvmOverhead() + "m");
    conf.put("taskmanager.memory.process.size", tm.processSize() + "m");
    conf.put("parallelism.default", "1");
    // Spread a job's slots over the TaskManagers instead of filling the first one: a job at
    // parallelism 2 on 2 TaskManagers then runs on both, so losing one loses half the job, and the
    // slots left free on the survivor are where it restarts.
    conf.put("cluster.evenly-spread-out-slots", "true");

    // The heap backend by default; RocksDB is on the classpath for jobs that ask for it
    // (--stateBackend=rocksdb) or for state.backend.type: rocksdb here.
    conf.put("state.backend.type", "hashmap");
    conf.put("state.checkpoints.dir", checkpointsDir().toUri().toString());
    conf.put("state.savepoints.dir", savepointsDir().toUri().toString());
    conf.put("state.backend.rocksdb.localdir", dir.resolve("rocksdb").toString());
    conf.put("io.tmp.dirs", dir.resolve("tmp").toString());
    conf.put("web.tmpdir", dir.resolve("web").toString());
    conf.put("web.upload.dir", dir.resolve("web").resolve("upload").toString());
    conf.put("blob.storage.directory", dir.resolve("blobs").toString());
    conf.put("web.submit.enable", "true");
    conf.put("web.cancel.enable", "true");
    // A TaskManager killed outright is noticed in seconds, not after the 50 s default.
    conf.put("heartbeat.interval", "2000");
    conf.put("heartbeat.timeout", "10000");
    return conf;
  }

  /** Writes {@code conf/flink-conf.yaml} and creates the folders it names. */
  void write() throws IOException {
    Files.createDirectories(confDir());
    Files.createDirectories(logDir());
    Files.createDirectories(checkpointsDir());
    Files.createDirectories(savepointsDir());
    for (String folder : List.of("rocksdb", "tmp", "web", "blobs", "plugins")) {
      Files.createDirectories(spec.clusterDir().resolve(folder));
    }
    StringBuilder yaml =
        new StringBuilder("# Generated by freshet flink start; rewritten on every start.\n");
    entries().forEach((key, value) -> yaml.append(key).append(": ").append(value).append('\n'));
    Files.writeString(confDir().resolve("flink-conf.yaml"), yaml, StandardCharsets.UTF_8);
    // An argument file keeps the long classpath off the command line (and out of `ps`).
    StringBuilder classpath = new StringBuilder("-cp \"");
    for (int i = 0; i < spec.classpath().size(); i++) {
      if (i > 0) {
        classpath.append(java.io.File.pathSeparatorChar);
      }
      classpath.append(spec.classpath().get(i).toAbsolutePath().toString().replace("\\", "\\\\"));
    }
    classpath.append("\"\n");
    Files.writeString(classpathFile(), classpath, StandardCharsets.UTF_8);
  }

  Path classpathFile() {
    return confDir().resolve("classpath.args");
  }

  /** The command line of the JobManager, whose output goes to {@code logFile}. */
  List<String> jobManagerCommand(Path logFile) {
    return command(
        List.of(
            "-Xms" + spec.jobManagerHeap() + "m",
            "-Xmx" + spec.jobManagerHeap() + "m",
            "-XX:MaxDirectMemorySize=" + JOB_MANAGER_OFF_HEAP + "m",
            "-XX:MaxMetaspaceSize=" + JOB_MANAGER_METASPACE + "m"),
        logFile,
        JOB_MANAGER_MAIN);
  }

  /** The command line of a TaskManager, whose output goes to {@code logFile}. */
  List<String> taskManagerCommand(Path logFile) {
    TaskManagerMemory tm = spec.taskManagerMemory();
    return command(
        List.of(
            "-Xms" + tm.heap() + "m",
            "-Xmx" + tm.heap() + "m",
            "-XX:MaxDirectMemorySize=" + tm.directMemory() + "m",
            "-XX:MaxMetaspaceSize=" + tm.metaspace() + "m"),
        logFile,
        TASK_MANAGER_MAIN);
  }

  private List<String> command(List<String> memory, Path logFile, String mainClass) {
    List<String> command = new ArrayList<>();
    command.add(spec.javaExecutable().toString());
    command.add("@" + classpathFile());
    command.addAll(memory);
    command.add("-XX:+UseG1GC");
    command.addAll(JAVA_17_OPENS);
    // log.file lets the web UI show the process's log; slf4j-simple writes to stderr, which is
    // redirected into that same file.
    command.add("-Dlog.file=" + logFile);
    command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    command.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSS");
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
    command.add(mainClass);
    command.add("--configDir");
    command.add(confDir().toString());
    return command;
  }
}
