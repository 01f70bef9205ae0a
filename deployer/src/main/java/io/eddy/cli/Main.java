package io.eddy.cli;

import io.eddy.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line of the bundle: {@code java -jar eddy-examples.jar <command>}. Exit codes: 0
 * success, 1 the job failed, 2 bad input (usage, configuration, parameters). Errors print one line
 * unless {@code --verbose} is given.
 */
@Command(
    name = "eddy",
    mixinStandardHelpOptions = true,
    version = "eddy 0.1.0",
    description = "Eddy, a distributed stream processor on Vert.x.",
    subcommands = {RunCommand.class, NodeCommand.class, BenchCommand.class, RestCommands.Submit.class, RestCommands.ListJobs.class, RestCommands.Status.class,
        RestCommands.Cancel.class, RestCommands.Savepoint.class, RestCommands.Rescale.class, CommandLine.HelpCommand.class})
public final class Main {
  public static final int EXIT_OK = 0;
  public static final int EXIT_JOB_FAILED = 1;
  public static final int EXIT_BAD_INPUT = 2;

  public static void main(String[] args) {
    chooseLogConfiguration(System.getenv("EDDY_LOG_CONFIG"), java.nio.file.Path.of("conf", "logback.xml"));
    int code = execute(args);
    System.exit(code);
  }

  /**
   * Points logback at its configuration before anything logs, unless {@code -Dlogback.configurationFile} is given:
   * the file named by {@code EDDY_LOG_CONFIG}, else {@code conf/logback.xml} if it exists where the JVM started, else
   * the bundle's own {@code logback.xml} (plain lines on stderr).
   *
   * @param fromEnvironment {@code EDDY_LOG_CONFIG}, or null
   * @param inConf          {@code conf/logback.xml}
   * @return the file chosen, or null for the bundle's default
   */
  static String chooseLogConfiguration(String fromEnvironment, java.nio.file.Path inConf) {
    String given = System.getProperty("logback.configurationFile");
    if (given != null) {
      return given;
    }
    String chosen = fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment
        : java.nio.file.Files.isRegularFile(inConf) ? inConf.toString() : null;
    if (chosen != null) {
      System.setProperty("logback.configurationFile", chosen);
    }
    return chosen;
  }

  /** Runs the command line in this JVM and returns its exit code (for tests). */
  public static int execute(String... args) {
    boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      Throwable root = e;
      if (root instanceof ConfigException || root instanceof IllegalArgumentException) {
        line.getErr().println("error: " + root.getMessage());
        if (verbose) {
          root.printStackTrace(line.getErr());
        }
        return EXIT_BAD_INPUT;
      }
      line.getErr().println("error: " + root);
      if (verbose) {
        root.printStackTrace(line.getErr());
      }
      return EXIT_JOB_FAILED;
    });
    cl.setParameterExceptionHandler((e, a) -> {
      e.getCommandLine().getErr().println("error: " + e.getMessage());
      e.getCommandLine().getErr().println("(try --help)");
      return EXIT_BAD_INPUT;
    });
    return cl.execute(args);
  }
}
