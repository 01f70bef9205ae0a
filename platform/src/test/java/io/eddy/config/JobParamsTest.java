package io.eddy.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class JobParamsTest {

    private final JobParams params = JobParams.of(orderedMap(
            "input", "in.txt", "n", "10", "big", "5000000000", "ratio", "0.25", "exp", "1e3",
            "flag", "TRUE", "off", "false", "word", "abc", "empty", "", "space", " 7"));

    static Map<String, String> orderedMap(String... kv) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put(kv[i], kv[i + 1]);
        }
        return map;
    }

    @Test
    void stringGetters() {
        assertThat(params.get("input")).isEqualTo("in.txt");
        assertThat(params.get("missing")).isNull();
        assertThat(params.get("missing", "d")).isEqualTo("d");
        assertThat(params.get("empty", "d")).isEmpty();
        assertThat(params.require("input")).isEqualTo("in.txt");
        assertThatThrownBy(() -> params.require("output")).isInstanceOf(ConfigException.class)
                .hasMessage("job parameter 'output' is required");
    }

    @Test
    void typedGettersParse() {
        assertThat(params.getInt("n", 0)).isEqualTo(10);
        assertThat(params.getInt("missing", 42)).isEqualTo(42);
        assertThat(params.getLong("big", 0)).isEqualTo(5_000_000_000L);
        assertThat(params.getLong("missing", -1)).isEqualTo(-1);
        assertThat(params.getDouble("ratio", 0)).isEqualTo(0.25);
        assertThat(params.getDouble("exp", 0)).isEqualTo(1000.0);
        assertThat(params.getDouble("n", 0)).isEqualTo(10.0);
        assertThat(params.getDouble("missing", 1.5)).isEqualTo(1.5);
        assertThat(params.getBoolean("flag", false)).isTrue();
        assertThat(params.getBoolean("off", true)).isFalse();
        assertThat(params.getBoolean("missing", true)).isTrue();
        assertThat(JobParams.of(Map.of("n", "-3")).getInt("n", 0)).isEqualTo(-3);
    }

    @Test
    void typedGetterErrorsNameTheParameterAndTheValue() {
        assertThatThrownBy(() -> params.getInt("word", 0)).isInstanceOf(ConfigException.class)
                .hasMessage("job parameter 'word': expected an integer, found \"abc\"");
        assertThatThrownBy(() -> params.getInt("ratio", 0))
                .hasMessage("job parameter 'ratio': expected an integer, found \"0.25\"");
        assertThatThrownBy(() -> params.getInt("space", 0))
                .hasMessage("job parameter 'space': expected an integer, found \" 7\"");
        assertThatThrownBy(() -> params.getInt("big", 0))
                .hasMessage("job parameter 'big': expected an integer between -2147483648 and 2147483647,"
                        + " found \"5000000000\"");
        assertThatThrownBy(() -> JobParams.of(Map.of("x", "99999999999999999999")).getLong("x", 0))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'x'").hasMessageContaining("99999999999999999999");
        assertThatThrownBy(() -> params.getLong("empty", 0))
                .hasMessage("job parameter 'empty': expected an integer, found \"\"");
        assertThatThrownBy(() -> params.getDouble("word", 0))
                .hasMessage("job parameter 'word': expected a number, found \"abc\"");
        assertThatThrownBy(() -> params.getBoolean("n", false))
                .hasMessage("job parameter 'n': expected true or false, found \"10\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "1e400", "1d", "0x10", " 1", "1,5"})
    void getDoubleRejectsNonDecimalText(String text) {
        assertThatThrownBy(() -> JobParams.of(Map.of("d", text)).getDouble("d", 0))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("job parameter 'd': expected a number");
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "1", "t", ""})
    void getBooleanAcceptsOnlyTrueAndFalse(String text) {
        assertThatThrownBy(() -> JobParams.of(Map.of("b", text)).getBoolean("b", false))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("job parameter 'b': expected true or false");
    }

    @Test
    void asMapIsOrderedAndUnmodifiable() {
        assertThat(params.asMap().keySet()).startsWith("input", "n", "big");
        assertThatThrownBy(() -> params.asMap().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void ofCopiesItsInput() {
        Map<String, String> source = new HashMap<>(Map.of("a", "1"));
        JobParams p = JobParams.of(source);
        source.put("a", "2");
        assertThat(p.get("a")).isEqualTo("1");
        assertThatThrownBy(() -> JobParams.of(java.util.Collections.singletonMap("a", null)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("'a'");
    }

    @Test
    void overridesReplaceInPlaceAndAppendNewKeys() {
        JobParams base = JobParams.of(orderedMap("a", "1", "b", "2", "c", "3"));
        JobParams over = base.withOverrides(orderedMap("b", "20", "d", "4"));
        assertThat(over.asMap()).containsExactly(entry("a", "1"), entry("b", "20"), entry("c", "3"), entry("d", "4"));
        assertThat(base.get("b")).isEqualTo("2");
        assertThat(base.withOverrides(Map.of())).isEqualTo(base);
        assertThat(JobParams.empty().asMap()).isEmpty();
    }

    @Test
    void parseAssignment() {
        assertThat(JobParams.parseAssignment("a=b")).isEqualTo(Map.entry("a", "b"));
        assertThat(JobParams.parseAssignment("a=b=c")).isEqualTo(Map.entry("a", "b=c"));
        assertThat(JobParams.parseAssignment("a=")).isEqualTo(Map.entry("a", ""));
        assertThat(JobParams.parseAssignment("path=/tmp/x y")).isEqualTo(Map.entry("path", "/tmp/x y"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"=b", "nokey", "", " =x"})
    void parseAssignmentRejectsMissingKeyOrEquals(String arg) {
        assertThatThrownBy(() -> JobParams.parseAssignment(arg)).isInstanceOf(ConfigException.class)
                .hasMessage("bad --param '" + arg + "': expected key=value");
    }

    @Test
    void parseAssignmentMessageStaysOnOneLine() {
        assertThatThrownBy(() -> JobParams.parseAssignment("no\nkey"))
                .hasMessage("bad --param 'no\\nkey': expected key=value");
    }
}
