package io.eddy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PathPolicyTest {
  @TempDir
  Path tmp;

  @Test
  void acceptsPathsUnderARootAndNamesTheOneOutside() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("data"));
    PathPolicy policy = PathPolicy.under(List.of(root));
    assertThat(policy.resolve("key 'checkpoints.directory'", root.resolve("ckpt/q5").toString()))
        .isEqualTo(root.toRealPath().resolve("ckpt/q5"));
    assertThat(policy.resolve("x", "file://" + root.resolve("a"))).isEqualTo(root.toRealPath().resolve("a"));
    assertThatThrownBy(() -> policy.resolve("key 'checkpoints.directory'", root + "/../elsewhere"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("key 'checkpoints.directory': '" + root + "/../elsewhere' is outside");
    assertThatThrownBy(() -> policy.resolve("query parameter 'fromSavepoint'", "/etc"))
        .hasMessageContaining("'/etc' is outside").hasMessageContaining("pathRoots");
    // a sibling whose name starts like the root is not under it
    assertThatThrownBy(() -> policy.resolve("x", root + "-evil/a")).hasMessageContaining("is outside");
  }

  @Test
  void aLinkInsideARootDoesNotLeadOut() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("data"));
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createSymbolicLink(root.resolve("link"), outside);
    Files.createSymbolicLink(root.resolve("dangling"), tmp.resolve("nowhere"));
    PathPolicy policy = PathPolicy.under(List.of(root));
    assertThatThrownBy(() -> policy.resolve("directory", root.resolve("link/sp").toString()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("is outside");
    assertThatThrownBy(() -> policy.resolve("directory", root.resolve("dangling/sp").toString()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cannot be resolved");
  }

  @Test
  void unrestrictedAcceptsAnyPathAndEmptyIsRefused() {
    assertThat(PathPolicy.unrestricted().resolve("x", "/etc/../tmp")).isEqualTo(Path.of("/tmp"));
    assertThatThrownBy(() -> PathPolicy.unrestricted().resolve("key 'd'", " ")).hasMessage("key 'd': an empty path");
  }

  @Test
  void jobParametersNamingPathsGoThroughThePolicy() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("data"));
    JobParams params = JobParams.of(java.util.Map.of("input", root + "/in.txt", "output", "/etc/cron.d", "n", "3"));
    assertThat(params.requirePath("output")).as("unrestricted: as given").isEqualTo("/etc/cron.d");
    JobParams checked = params.withPathPolicy(PathPolicy.under(List.of(root)));
    assertThat(checked.requirePath("input")).isEqualTo(root.toRealPath().resolve("in.txt").toString());
    assertThatThrownBy(() -> checked.requirePath("output"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("job parameter 'output': '/etc/cron.d' is outside the directories");
    assertThatThrownBy(() -> checked.requirePath("missing")).hasMessage("job parameter 'missing' is required");
    assertThat(checked.getPath("missing", null)).isNull();
    assertThatThrownBy(() -> checked.getPath("missing", "/tmp/../etc")).hasMessageContaining("is outside");
    assertThat(checked.withOverrides(java.util.Map.of("n", "4")).pathPolicy().roots()).isNotEmpty();
  }
}
