package dev.freshet.runners;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.io.aws2.options.AwsOptions;
import org.junit.jupiter.api.Test;

class RunnersTest {

  @Test
  void defaultsToTheDirectRunnerAndTheDataFolderInTheWorkingDirectory() {
    FreshetPipelineOptions options = Runners.configure();

    assertThat(options.getRunner()).isEqualTo(DirectRunner.class);
    assertThat(Runners.isDirect(options)).isTrue();
    assertThat(options.getEndpoint())
        .isEqualTo(Path.of("freshet-data").toAbsolutePath().toUri());
    assertThat(options.getCheckpointingMode()).isEqualTo("EXACTLY_ONCE");
    assertThat(options.getStateBackend()).isNull();
  }

  @Test
  void livesBesideBeamsAwsOptionsWhichShareTheEndpointProperty() {
    // Beam's AWS module is on this test classpath and registers AwsOptions (getEndpoint() too):
    // a @Default on our side would make Beam refuse both interfaces.
    FreshetPipelineOptions options = Runners.configure("--endpoint=http://localhost:4567");

    AwsOptions aws = options.as(AwsOptions.class);
    assertThat(aws.getEndpoint()).isEqualTo(URI.create("http://localhost:4567"));
    assertThat(Runners.configure().as(AwsOptions.class).getEndpoint())
        .isEqualTo(Path.of("freshet-data").toAbsolutePath().toUri());
  }

  @Test
  void runnerNamesAreFriendlyAndCaseInsensitive() {
    assertThat(Runners.configure("--runner=flink").getRunner()).isEqualTo(FlinkRunner.class);
    assertThat(Runners.configure("--runner=Flink").getRunner()).isEqualTo(FlinkRunner.class);
    assertThat(Runners.configure("--runner=FlinkRunner").getRunner()).isEqualTo(FlinkRunner.class);
    assertThat(Runners.configure("--runner=DIRECT").getRunner()).isEqualTo(DirectRunner.class);
    assertThat(Runners.isFlink(Runners.configure("--runner=flink"))).isTrue();
  }

  @Test
  void anUnknownRunnerIsRejectedByName() {
    assertThatThrownBy(() -> Runners.configure("--runner=spork"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spork");
  }

  @Test
  void flinkSettingsPassThroughToTheFlinkRunnersOptions() {
    FreshetPipelineOptions options =
        Runners.configure(
            "--runner=flink",
            "--flinkMaster=localhost:8081",
            "--parallelism=4",
            "--checkpointingInterval=1000",
            "--savepointPath=file:///tmp/savepoints/savepoint-1");

    assertThat(options.getFlinkMaster()).isEqualTo("localhost:8081");
    assertThat(options.getParallelism()).isEqualTo(4);
    assertThat(options.getCheckpointingInterval()).isEqualTo(1000L);
    assertThat(options.getSavepointPath()).isEqualTo("file:///tmp/savepoints/savepoint-1");
  }

  @Test
  void checkpointingModeTakesFriendlyNames() {
    assertThat(Runners.configure("--checkpointingMode=at-least-once").getCheckpointingMode())
        .isEqualTo("AT_LEAST_ONCE");
    assertThat(Runners.configure("--checkpointingMode=Exactly-Once").getCheckpointingMode())
        .isEqualTo("EXACTLY_ONCE");
    assertThatThrownBy(() -> Runners.configure("--checkpointingMode=twice"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("checkpointingMode must be exactly-once or at-least-once, but was: twice");
  }

  @Test
  void stateBackendsAreHashmapOrRocksdbWithCheckpointsBesideTheStore(@org.junit.jupiter.api.io.TempDir Path dir) {
    FreshetPipelineOptions rocks =
        Runners.configure("--stateBackend=RocksDB", "--endpoint=" + dir.toUri());
    assertThat(rocks.getStateBackend()).isEqualTo("rocksdb");
    assertThat(rocks.getStateBackendStoragePath())
        .isEqualTo(dir.resolve("flink").resolve("checkpoints").toUri().toString());

    FreshetPipelineOptions heap =
        Runners.configure(
            "--stateBackend=hashmap", "--stateBackendStoragePath=file:///tmp/cp");
    assertThat(heap.getStateBackend()).isEqualTo("filesystem");
    assertThat(heap.getStateBackendStoragePath()).isEqualTo("file:///tmp/cp");

    assertThatThrownBy(() -> Runners.configure("--stateBackend=memory"))
        .hasMessage("stateBackend must be hashmap or rocksdb, but was: memory");
    assertThatThrownBy(
            () -> Runners.configure("--stateBackend=rocksdb", "--endpoint=http://localhost:4567"))
        .hasMessageContaining("stateBackendStoragePath is required");
  }

  @Test
  void endpointsAreUrisAndRelativeFoldersBecomeAbsolute() {
    assertThat(Runners.configure("--endpoint=http://localhost:4567").getEndpoint())
        .isEqualTo(URI.create("http://localhost:4567"));
    URI relative = Runners.configure("--endpoint=file:./data/x?durability=fsync").getEndpoint();
    assertThat(relative.getPath())
        .startsWith(Path.of("data", "x").toAbsolutePath().toString());
    assertThat(relative.getQuery()).isEqualTo("durability=fsync");
  }

  @Test
  void testsKeepTheDirectRunnersChecksAndExamplesTurnThemOff() {
    DirectOptions strict = Runners.configure().as(DirectOptions.class);
    assertThat(strict.isEnforceImmutability()).isTrue();
    assertThat(strict.isEnforceEncodability()).isTrue();

    DirectOptions fast = Runners.forExamples().as(DirectOptions.class);
    assertThat(fast.isEnforceImmutability()).isFalse();
    assertThat(fast.isEnforceEncodability()).isFalse();
    assertThat(fast.getTargetParallelism())
        .isEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()));

    DirectOptions asked =
        Runners.forExamples("--enforceImmutability=true", "--targetParallelism=7")
            .as(DirectOptions.class);
    assertThat(asked.isEnforceImmutability()).isTrue();
    assertThat(asked.getTargetParallelism()).isEqualTo(7);
  }
}
