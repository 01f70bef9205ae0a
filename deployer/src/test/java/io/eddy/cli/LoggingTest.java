package io.eddy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * One logging API: SLF4J calls and {@code System.Logger} calls (as {@code JobCoordinator} makes) both reach logback,
 * configured by the files in {@code conf/}.
 */
class LoggingTest {

  /** Configures logback from {@code file}, logs through both APIs, and returns the lines written to stderr. */
  private static List<String> logWith(Path file) throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      context.reset();
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(file.toFile()); // the console appender takes System.err now
      LoggerFactory.getLogger("io.eddy.deployer.JobRegistry").info("job {}: carried on", "q5-1");
      System.getLogger("io.eddy.deployer.JobCoordinator")
          .log(System.Logger.Level.WARNING, "job {0}: checkpoint {1} aborted", "q5", "7");
      LoggerFactory.getLogger("com.hazelcast.cluster").info("a chatty line, below WARN");
      System.getLogger("io.eddy.x").log(System.Logger.Level.DEBUG, "below INFO");
    } finally {
      System.setErr(err);
      context.reset();
      new ch.qos.logback.classic.util.ContextInitializer(context).autoConfig(); // back to logback-test.xml
    }
    return captured.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void plainLinesFromBothApis() throws Exception {
    List<String> lines = logWith(Path.of("../conf/logback.xml"));
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[INFO\\] io.eddy.deployer.JobRegistry - job q5-1: carried on");
    assertThat(lines.get(1)).endsWith("[WARN] io.eddy.deployer.JobCoordinator - job q5: checkpoint 7 aborted");
  }

  @Test
  void jsonLinesFromBothApis() throws Exception {
    List<String> lines = logWith(Path.of("../conf/logback-json.xml"));
    assertThat(lines).hasSize(2);
    JsonObject first = new JsonObject(lines.get(0));
    assertThat(first.getString("level")).isEqualTo("INFO");
    assertThat(first.getString("loggerName")).isEqualTo("io.eddy.deployer.JobRegistry");
    assertThat(first.containsKey("message")).as("the formatted message only").isFalse();
    assertThat(first.getString("formattedMessage")).isEqualTo("job q5-1: carried on");
    assertThat(first.getLong("timestamp")).isPositive();
    JsonObject second = new JsonObject(lines.get(1));
    assertThat(second.getString("level")).isEqualTo("WARN");
    assertThat(second.getString("loggerName")).isEqualTo("io.eddy.deployer.JobCoordinator");
    assertThat(second.getString("formattedMessage")).isEqualTo("job q5: checkpoint 7 aborted");
  }

  @Test
  void theConfigurationComesFromTheEnvironmentThenConf() throws Exception {
    String before = System.getProperty("logback.configurationFile");
    try {
      System.clearProperty("logback.configurationFile");
      assertThat(Main.chooseLogConfiguration("/etc/eddy/log.xml", Path.of("../conf/logback.xml")))
          .isEqualTo("/etc/eddy/log.xml");
      System.clearProperty("logback.configurationFile");
      assertThat(Main.chooseLogConfiguration(null, Path.of("../conf/logback.xml"))).isEqualTo("../conf/logback.xml");
      assertThat(System.getProperty("logback.configurationFile")).isEqualTo("../conf/logback.xml");
      assertThat(Main.chooseLogConfiguration("/other.xml", Path.of("x"))).as("-D wins").isEqualTo("../conf/logback.xml");
      System.clearProperty("logback.configurationFile");
      assertThat(Main.chooseLogConfiguration(null, Path.of("no/such.xml"))).isNull();
    } finally {
      if (before == null) {
        System.clearProperty("logback.configurationFile");
      } else {
        System.setProperty("logback.configurationFile", before);
      }
    }
  }
}
