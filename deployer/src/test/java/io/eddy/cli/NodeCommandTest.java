package io.eddy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class NodeCommandTest {

  @Test
  @Timeout(10)
  void aBadNodeFileStopsStartUpWithOneLine(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("node.json");
    Files.writeString(conf, "{\"slots\": \"many\"}");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = Main.execute("node", "--conf", conf.toString());
    } finally {
      System.setErr(saved);
    }
    assertThat(code).isEqualTo(Main.EXIT_BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo("error: " + conf + ": key 'slots': expected an integer, found \"many\"");
  }
}
