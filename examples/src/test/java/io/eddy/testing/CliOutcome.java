package io.eddy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/** What a command-line run printed and returned, with the checks every error must pass. */
public record CliOutcome(int exitCode, String out, String err) {

  public List<String> errLines() {
    return err.lines().toList();
  }

  public List<String> outLines() {
    return out.lines().toList();
  }

  /**
   * The run failed with {@code expectedCode} and printed exactly one line on stderr containing every
   * fragment, and no stack trace anywhere.
   */
  public CliOutcome assertOneLineError(int expectedCode, String... fragments) {
    assertThat(exitCode).as("exit code; stderr: %s", err).isEqualTo(expectedCode);
    assertThat(errLines()).as("stderr lines").hasSize(1);
    String line = errLines().get(0);
    for (String f : fragments) {
      assertThat(line).as("the error line").contains(f);
    }
    assertNoStackTrace();
    return this;
  }

  public void assertNoStackTrace() {
    assertThat(errLines()).as("stderr").noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by:"));
    assertThat(outLines()).as("stdout").noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by:"));
  }
}
