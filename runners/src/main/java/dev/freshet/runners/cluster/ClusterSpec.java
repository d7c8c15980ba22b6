package dev.freshet.runners.cluster;

import com.google.auto.value.AutoValue;
import com.google.common.collect.ImmutableList;
import java.nio.file.Path;
import java.util.List;

/** What {@link FlinkCluster#start} starts: how many TaskManagers, where, on which ports. */
@AutoValue
public abstract class ClusterSpec {

  /** The data folder; the cluster keeps everything under its {@code flink} subfolder. */
  public abstract Path dataDir();

  public abstract int taskManagers();

  public abstract int slotsPerTaskManager();

  /** REST API and web UI port, on loopback. */
  public abstract int restPort();

  /** The JobManager's RPC port; TaskManagers use ephemeral ports. */
  public abstract int rpcPort();

  public abstract TaskManagerMemory taskManagerMemory();

  /** The JobManager's heap in MiB. */
  public abstract int jobManagerHeap();

  /** The jars the processes run from: Flink, the web UI, RocksDB and a logger (see {@link ClusterClasspath}). */
  public abstract ImmutableList<Path> classpath();

  /** The {@code java} executable; by default the one running this JVM. */
  public abstract Path javaExecutable();

  /** How long to wait for every slot to register. */
  public abstract java.time.Duration startTimeout();

  public abstract Builder toBuilder();

  /**
   * Defaults for a 2-core, 24 GiB machine: 2 TaskManagers with 2 slots each (one slot per core
   * and TaskManager), the web UI on 8081, the JobManager's RPC on 6123.
   */
  public static Builder builder(Path dataDir, List<Path> classpath) {
    return new AutoValue_ClusterSpec.Builder()
        .setDataDir(dataDir.toAbsolutePath().normalize())
        .setClasspath(classpath)
        .setTaskManagers(2)
        .setSlotsPerTaskManager(2)
        .setRestPort(8081)
        .setRpcPort(6123)
        .setTaskManagerMemory(TaskManagerMemory.defaults())
        .setJobManagerHeap(768)
        .setJavaExecutable(Path.of(System.getProperty("java.home"), "bin", "java"))
        .setStartTimeout(java.time.Duration.ofMinutes(2));
  }

  /** The cluster's own folder inside the data folder. */
  public Path clusterDir() {
    return dataDir().resolve("flink");
  }

  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setDataDir(Path value);

    public abstract Builder setTaskManagers(int value);

    public abstract Builder setSlotsPerTaskManager(int value);

    public abstract Builder setRestPort(int value);

    public abstract Builder setRpcPort(int value);

    public abstract Builder setTaskManagerMemory(TaskManagerMemory value);

    public abstract Builder setJobManagerHeap(int value);

    public abstract Builder setClasspath(List<Path> value);

    public abstract Builder setJavaExecutable(Path value);

    public abstract Builder setStartTimeout(java.time.Duration value);

    abstract ClusterSpec autoBuild();

    public ClusterSpec build() {
      ClusterSpec spec = autoBuild();
      between("taskManagers", spec.taskManagers(), 1, 16);
      between("slotsPerTaskManager", spec.slotsPerTaskManager(), 1, 64);
      between("restPort", spec.restPort(), 1, 65535);
      between("rpcPort", spec.rpcPort(), 1, 65535);
      between("jobManagerHeap", spec.jobManagerHeap(), 128, 65536);
      if (spec.restPort() == spec.rpcPort()) {
        throw new IllegalArgumentException(
            "restPort and rpcPort must differ, but both were: " + spec.restPort());
      }
      if (spec.classpath().isEmpty()) {
        throw new IllegalArgumentException("classpath must name the Flink jars, but was empty");
      }
      return spec;
    }

    private static void between(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            name + " must be between " + min + " and " + max + ", but was: " + value);
      }
    }
  }
}
