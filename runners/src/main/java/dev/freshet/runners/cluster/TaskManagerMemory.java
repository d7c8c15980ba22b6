package dev.freshet.runners.cluster;

/**
 * Every memory component of one TaskManager, in MiB. A TaskManager started without Flink's scripts
 * refuses to start unless each of them (and {@code taskmanager.cpu.cores}) is set explicitly, and
 * its JVM flags ({@code -Xmx}, {@code -XX:MaxDirectMemorySize}, ...) must agree with them, so both
 * come from here.
 *
 * @param frameworkHeap Flink's own heap
 * @param taskHeap operators' heap (Beam's DoFns, the hashmap state backend)
 * @param managed RocksDB's memory and batch sorting
 * @param frameworkOffHeap Flink's own direct memory
 * @param taskOffHeap operators' direct memory
 * @param network network buffers between tasks; 64 MiB was too little for a Beam SQL job at
 *     parallelism 2, 256 MiB is enough
 * @param metaspace class metadata (Beam and the job jar are large)
 * @param jvmOverhead thread stacks, code cache, GC structures
 */
public record TaskManagerMemory(
    int frameworkHeap,
    int taskHeap,
    int managed,
    int frameworkOffHeap,
    int taskOffHeap,
    int network,
    int metaspace,
    int jvmOverhead) {

  public TaskManagerMemory {
    positive("frameworkHeap", frameworkHeap);
    positive("taskHeap", taskHeap);
    positive("managed", managed);
    positive("frameworkOffHeap", frameworkOffHeap);
    positive("taskOffHeap", taskOffHeap);
    positive("metaspace", metaspace);
    positive("jvmOverhead", jvmOverhead);
    if (network < 64) {
      throw new IllegalArgumentException(
          "network memory must be at least 64 MiB, but was: " + network + " MiB");
    }
  }

  /**
   * 2 GiB per TaskManager: two of them and a 1.3 GiB JobManager take about a quarter of a 24 GiB
   * machine, leaving room for the store, the server and the build beside them.
   */
  public static TaskManagerMemory defaults() {
    return new TaskManagerMemory(128, 512, 512, 128, 64, 256, 256, 192);
  }

  /** The whole process, what {@code taskmanager.memory.process.size} would be. */
  public int processSize() {
    return frameworkHeap + taskHeap + managed + frameworkOffHeap + taskOffHeap + network
        + metaspace + jvmOverhead;
  }

  int heap() {
    return frameworkHeap + taskHeap;
  }

  int directMemory() {
    return frameworkOffHeap + taskOffHeap + network;
  }

  private static void positive(String name, int mebibytes) {
    if (mebibytes <= 0) {
      throw new IllegalArgumentException(name + " must be positive, but was: " + mebibytes + " MiB");
    }
  }
}
