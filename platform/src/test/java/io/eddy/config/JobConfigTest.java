package io.eddy.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

class JobConfigTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve("conf").resolve("jobs").resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    /** Loads the file expecting failure; checks the message is one line naming the file, and returns it. */
    private String loadFailure(Path file) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> JobConfig.load(file));
        assertThat(e).as("expected a ConfigException").isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r").startsWith(file + ": ");
        return e.getMessage().substring(file.toString().length() + 2);
    }

    private String failureFor(String json) throws IOException {
        return loadFailure(write("bad.json", json));
    }

    @Test
    void loadsAFullFile() throws IOException {
        Path file = write("wordcount.json", """
                {
                  "name": "wc",
                  "job": "io.eddy.examples.WordCount",
                  "parallelism": 2,
                  "maxParallelism": 64,
                  "frame": { "maxRecords": 100, "maxBytes": 4096, "flushMillis": 0, "credits": 8, "serializeLocal": true },
                  "params": { "input": "examples/data/sample.txt", "output": "target/wordcount-out", "n": 10,
                              "ratio": 0.5, "whole": 3.0, "exp": 1e3, "big": 12345678901234567890, "neg": -2.50,
                              "debug": true }
                }
                """);
        JobConfig config = JobConfig.load(file);
        assertThat(config.source()).isEqualTo(file.toString());
        assertThat(config.name()).isEqualTo("wc");
        assertThat(config.jobClass()).isEqualTo("io.eddy.examples.WordCount");
        assertThat(config.parallelism()).isEqualTo(2);
        assertThat(config.maxParallelism()).isEqualTo(64);
        assertThat(config.frame()).isEqualTo(new FrameSettings(100, 4096, 0, 8, true));
        assertThat(config.params().asMap()).containsExactly(
                entry("input", "examples/data/sample.txt"), entry("output", "target/wordcount-out"),
                entry("n", "10"), entry("ratio", "0.5"), entry("whole", "3"), entry("exp", "1000"),
                entry("big", "12345678901234567890"), entry("neg", "-2.5"), entry("debug", "true"));
        assertThat(config.params().getInt("n", 0)).isEqualTo(10);
        assertThat(config.raw().getString("job")).isEqualTo("io.eddy.examples.WordCount");
    }

    @Test
    void minimalFileGetsDefaults() throws IOException {
        JobConfig config = JobConfig.load(write("min.json", "{\"job\": \"io.eddy.examples.WordCount\"}"));
        assertThat(config.name()).isEqualTo("wordcount");
        assertThat(config.parallelism()).isEqualTo(1);
        assertThat(config.maxParallelism()).isEqualTo(128);
        assertThat(config.frame()).isEqualTo(FrameSettings.DEFAULTS);
        assertThat(config.params().asMap()).isEmpty();
    }

    @Test
    void defaultNameUsesTheSimpleNameOfNestedAndUnqualifiedClasses() {
        assertThat(JobConfig.parse("{\"job\": \"a.b.Outer$InnerJob\"}", "s").name()).isEqualTo("innerjob");
        assertThat(JobConfig.parse("{\"job\": \"TopLevel\"}", "s").name()).isEqualTo("toplevel");
    }

    @Test
    void parseNamesTheGivenSource() {
        assertThatThrownBy(() -> JobConfig.parse("{\"job\": \"A\", \"parallelism\": 0}", "inline"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("inline: key 'parallelism': must be between 1 and 32768, found 0");
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("conf/jobs/x.json");
        assertThat(loadFailure(file)).isEqualTo("cannot read file (NoSuchFileException)");
    }

    @Test
    void directoryInsteadOfFile() throws IOException {
        Path file = Files.createDirectories(dir.resolve("conf/jobs/adir.json"));
        assertThat(loadFailure(file)).startsWith("cannot read file (");
    }

    @Test
    void notJsonReportsReasonLineAndColumn() throws IOException {
        String message = failureFor("{\n  \"job\": \"A\",\n  \"parallelism\": \n}");
        assertThat(message).startsWith("not valid JSON: ").contains("(line 4, column 1)")
                .doesNotContain("Source").doesNotContain("StreamReadFeature");
        assertThat(failureFor("{\"job\": \"A\",}")).startsWith("not valid JSON: ").contains("line 1, column 13");
        assertThat(failureFor("job = A")).startsWith("not valid JSON: ").contains("line 1");
        assertThat(failureFor("{\"job\": \"A\"} trailing")).startsWith("not valid JSON: ");
        assertThat(failureFor("{\"job\": \"A\"")).startsWith("not valid JSON: Unexpected end-of-input")
                .contains("(start marker at line 1, column 1)").endsWith("(line 1, column 12)");
    }

    @Test
    void emptyFile() throws IOException {
        assertThat(failureFor("")).isEqualTo("not valid JSON: the file is empty");
        assertThat(failureFor(" \n ")).isEqualTo("not valid JSON: the file is empty");
    }

    @Test
    void topLevelMustBeAnObject() throws IOException {
        assertThat(failureFor("[{\"job\": \"A\"}]")).isEqualTo("top level: expected a JSON object, found [{\"job\":\"A\"}]");
        assertThat(failureFor("\"job\"")).isEqualTo("top level: expected a JSON object, found \"job\"");
        assertThat(failureFor("null")).isEqualTo("top level: expected a JSON object, found null");
    }

    @Test
    void byteOrderMarkIsIgnored() throws IOException {
        assertThat(JobConfig.load(write("bom.json", "\uFEFF{\"job\": \"A\"}")).jobClass()).isEqualTo("A");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}                                                      | missing required key 'job'",
            "{\"job\": \"A\", \"paralelism\": 2}                     | unknown key 'paralelism' (allowed keys: name, job, parallelism, maxParallelism, frame, params, chaining, watermarkIntervalMillis, badRecords, stateBackend, rocksdb, checkpoints, restartStrategy, scaling)",
            "{\"job\": \"A\", \"frame\": {\"maxByte\": 1}}           | unknown key 'frame.maxByte' (allowed keys: maxRecords, maxBytes, flushMillis, credits, serializeLocal)",
            "{\"job\": \"A\", \"frame\": {\"maxBytes\": \"big\"}}    | key 'frame.maxBytes': expected an integer, found \"big\"",
            "{\"job\": \"A\", \"frame\": {\"maxBytes\": 15}}         | key 'frame.maxBytes': must be at least 16, found 15",
            "{\"job\": \"A\", \"frame\": {\"maxRecords\": 0}}        | key 'frame.maxRecords': must be at least 1, found 0",
            "{\"job\": \"A\", \"frame\": {\"flushMillis\": -1}}      | key 'frame.flushMillis': must be at least 0, found -1",
            "{\"job\": \"A\", \"frame\": {\"credits\": 1025}}        | key 'frame.credits': must be between 1 and 1024, found 1025",
            "{\"job\": \"A\", \"frame\": {\"serializeLocal\": 1}}    | key 'frame.serializeLocal': expected a boolean, found 1",
            "{\"job\": \"A\", \"frame\": 5}                          | key 'frame': expected an object, found 5",
            "{\"job\": 5}                                            | key 'job': expected a string, found 5",
            "{\"job\": \"\"}                                         | key 'job': expected a Java class name, found \"\"",
            "{\"job\": \"io.eddy..X\"}                               | key 'job': expected a Java class name, found \"io.eddy..X\"",
            "{\"job\": \"A\", \"name\": \"\"}                        | key 'name': expected 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit (the name is a directory of checkpoints), found \"\"",
            "{\"job\": \"A\", \"parallelism\": 1.5}                  | key 'parallelism': expected an integer, found 1.5",
            "{\"job\": \"A\", \"parallelism\": 2.0}                  | key 'parallelism': expected an integer, found 2.0",
            "{\"job\": \"A\", \"parallelism\": 0}                    | key 'parallelism': must be between 1 and 32768, found 0",
            "{\"job\": \"A\", \"maxParallelism\": 32769}             | key 'maxParallelism': must be between 1 and 32768, found 32769",
            "{\"job\": \"A\", \"parallelism\": 8, \"maxParallelism\": 4} | key 'maxParallelism': 4 is less than parallelism 8",
            "{\"job\": \"A\", \"parallelism\": 200}                  | key 'parallelism': 200 exceeds the default maxParallelism 128; set maxParallelism to at least 200",
            "{\"job\": \"A\", \"params\": {\"n\": [1]}}              | key 'params.n': expected a string, number or boolean, found [1]",
            "{\"job\": \"A\", \"params\": []}                        | key 'params': expected an object, found []",
            "{\"job\": \"A\", \"scaling\": {\"mode\": \"auto\"}}      | key 'scaling.mode': expected one of \"fixed\", \"adaptive\", found \"auto\"",
            "{\"job\": \"A\", \"scaling\": {\"max\": 0}}            | key 'scaling.max': must be between 1 and 32768, found 0",
    })
    void invalidFilesGiveOneLineNamingFileAndKey(String json, String expected) throws IOException {
        assertThat(failureFor(json)).isEqualTo(expected);
    }

    @Test
    void maxParallelismMayEqualParallelism() {
        JobConfig config = JobConfig.parse("{\"job\": \"A\", \"parallelism\": 300, \"maxParallelism\": 300}", "s");
        assertThat(config.parallelism()).isEqualTo(300);
        assertThat(config.maxParallelism()).isEqualTo(300);
    }

    @Test
    void withParallelism() {
        JobConfig config = JobConfig.parse("{\"job\": \"A\", \"maxParallelism\": 16}", "conf/jobs/a.json");
        JobConfig changed = config.withParallelism(16);
        assertThat(changed.parallelism()).isEqualTo(16);
        assertThat(changed.raw().getInteger("parallelism")).isEqualTo(16);
        assertThat(config.parallelism()).isEqualTo(1);
        assertThat(config.raw().containsKey("parallelism")).isFalse();
        assertThatThrownBy(() -> config.withParallelism(17)).isInstanceOf(ConfigException.class)
                .hasMessage("conf/jobs/a.json: parallelism 17 is out of range: must be between 1 and maxParallelism 16");
        assertThatThrownBy(() -> config.withParallelism(0)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("parallelism 0");
    }

    @Test
    void withParamsAppliesCommandLineOverrides() {
        JobConfig config = JobConfig.parse("{\"job\": \"A\", \"params\": {\"input\": \"a\", \"n\": 1}}", "s");
        Map.Entry<String, String> cli = JobParams.parseAssignment("n=5");
        JobConfig changed = config.withParams(config.params().withOverrides(Map.ofEntries(cli)));
        assertThat(changed.params().asMap()).containsExactly(entry("input", "a"), entry("n", "5"));
        assertThat(changed.raw().getJsonObject("params")).isEqualTo(new JsonObject().put("input", "a").put("n", "5"));
        assertThat(config.params().get("n")).isEqualTo("1");
    }

    @Test
    void rawIsACopy() {
        JsonObject input = new JsonObject().put("job", "A");
        JobConfig config = new JobConfig("s", "a", "A", 1, 128, FrameSettings.DEFAULTS, JobParams.empty(), input);
        input.put("job", "B");
        config.raw().put("job", "C");
        assertThat(config.raw().getString("job")).isEqualTo("A");
        assertThat(config).isEqualTo(new JobConfig("s", "a", "A", 1, 128, FrameSettings.DEFAULTS,
                JobParams.empty(), new JsonObject().put("job", "A")));
    }

    @Test
    void constructorChecksParallelismBounds() {
        assertThatThrownBy(() -> new JobConfig("s", "a", "A", 5, 4, FrameSettings.DEFAULTS, JobParams.empty(),
                new JsonObject())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JobConfig("s", "a", "A", 0, 4, FrameSettings.DEFAULTS, JobParams.empty(),
                new JsonObject())).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "../escape", "a/b", "..", ".", "...", "_cluster", ".hidden", "a\\\\b", "name with space", "caf\u00e9", "''"})
    void refusesANameThatCouldLeaveTheCheckpointDirectory(String name) {
        String json = new JsonObject().put("job", "a.B").put("name", name).encode();
        assertThatThrownBy(() -> JobConfig.parse(json, "POST /jobs"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("POST /jobs: key 'name': expected 1 to 128 letters, digits");
    }

    @Test
    void acceptsNamesOfTheSafeCharsetAndSanitizesADefaultOne() {
        assertThat(JobConfig.parse("{\"job\": \"a.B\", \"name\": \"q5_exactly-once.v2\"}", "s").name())
                .isEqualTo("q5_exactly-once.v2");
        assertThat(JobConfig.parse("{\"job\": \"a.Caf\u00e9Job\"}", "s").name()).isEqualTo("caf_job");
        assertThat(JobConfig.parse("{\"job\": \"a.B\", \"name\": \"v1...x\"}", "s").name()).isEqualTo("v1...x");
        assertThat(JobConfig.parse("{\"job\": \"a._Hidden\"}", "s").name()).isEqualTo("job_hidden");
    }
}
