package dev.freshet.runners.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlinkConfTest {
  @TempDir Path dataDir;

  private ClusterSpec spec() {
    return ClusterSpec.builder(dataDir, List.of(Path.of("/lib/flink-runtime-1.19.0.jar"))).build();
  }

  @Test
  void everyTaskManagerMemoryComponentAndTheCoresAreExplicit() {
    Map<String, String> conf = new FlinkConf(spec()).entries();

    assertThat(conf)
        .containsEntry("taskmanager.cpu.cores", "2.0")
        .containsEntry("taskmanager.numberOfTaskSlots", "2")
        .containsEntry("cluster.evenly-spread-out-slots", "true")
        .containsEntry("taskmanager.memory.framework.heap.size", "128m")
        .containsEntry("taskmanager.memory.task.heap.size", "512m")
        .containsEntry("taskmanager.memory.managed.size", "512m")
        .containsEntry("taskmanager.memory.framework.off-heap.size", "128m")
        .containsEntry("taskmanager.memory.task.off-heap.size", "64m")
        .containsEntry("taskmanager.memory.network.min", "256m")
        .containsEntry("taskmanager.memory.network.max", "256m")
        .containsEntry("taskmanager.memory.jvm-metaspace.size", "256m")
        .containsEntry("taskmanager.memory.jvm-overhead.min", "192m")
        .containsEntry("taskmanager.memory.jvm-overhead.max", "192m")
        .containsEntry("taskmanager.memory.process.size", "2048m");
  }

  @Test
  void everythingListensOnLoopbackAndKeepsItsFilesInTheDataFolder() {
    Map<String, String> conf = new FlinkConf(spec()).entries();

    assertThat(conf)
        .containsEntry("rest.port", "8081")
        .containsEntry("rest.bind-address", "127.0.0.1")
        .containsEntry("jobmanager.bind-host", "127.0.0.1")
        .containsEntry("taskmanager.bind-host", "127.0.0.1")
        .containsEntry("jobmanager.rpc.port", "6123")
        .containsEntry("state.checkpoints.dir", dataDir.resolve("flink/checkpoints").toUri().toString())
        .containsEntry("state.savepoints.dir", dataDir.resolve("flink/savepoints").toUri().toString())
        .containsEntry("state.backend.rocksdb.localdir", dataDir.resolve("flink/rocksdb").toString());
  }

  @Test
  void jvmFlagsAgreeWithTheConfiguredMemory() throws Exception {
    FlinkConf conf = new FlinkConf(spec());
    conf.write();

    List<String> tm = conf.taskManagerCommand(dataDir.resolve("tm.log"));
    assertThat(tm)
        .contains("-Xmx640m", "-Xms640m", "-XX:MaxDirectMemorySize=448m", "-XX:MaxMetaspaceSize=256m")
        .contains(FlinkConf.TASK_MANAGER_MAIN)
        .endsWith("--configDir", dataDir.resolve("flink/conf").toString());
    assertThat(conf.jobManagerCommand(dataDir.resolve("jm.log")))
        .contains("-Xmx768m", FlinkConf.JOB_MANAGER_MAIN);
    assertThat(Files.readString(dataDir.resolve("flink/conf/flink-conf.yaml")))
        .contains("taskmanager.memory.network.min: 256m\n");
    assertThat(Files.readString(conf.classpathFile()))
        .isEqualTo("-cp \"/lib/flink-runtime-1.19.0.jar\"\n");
  }

  @Test
  void badSizesAndCountsNameTheSetting() {
    assertThatThrownBy(() -> new TaskManagerMemory(128, 512, 512, 128, 64, 32, 256, 192))
        .hasMessage("network memory must be at least 64 MiB, but was: 32 MiB");
    assertThatThrownBy(
            () -> ClusterSpec.builder(dataDir, List.of(Path.of("x.jar"))).setTaskManagers(0).build())
        .hasMessage("taskManagers must be between 1 and 16, but was: 0");
    assertThatThrownBy(
            () -> ClusterSpec.builder(dataDir, List.of(Path.of("x.jar"))).setRpcPort(8081).build())
        .hasMessage("restPort and rpcPort must differ, but both were: 8081");
  }
}
