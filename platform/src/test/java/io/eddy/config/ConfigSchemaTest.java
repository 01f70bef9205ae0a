package io.eddy.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.eddy.config.ConfigSchema.arrayOf;
import static io.eddy.config.ConfigSchema.bool;
import static io.eddy.config.ConfigSchema.integer;
import static io.eddy.config.ConfigSchema.number;
import static io.eddy.config.ConfigSchema.object;
import static io.eddy.config.ConfigSchema.oneOf;
import static io.eddy.config.ConfigSchema.openObject;
import static io.eddy.config.ConfigSchema.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ConfigSchemaTest {

    private static final String SRC = "conf/test.json";

    private static final ConfigSchema SCHEMA = object()
            .required("job", string())
            .optional("count", integer().min(1).max(10))
            .optional("ratio", number().min(0).max(1))
            .optional("big", integer().min(0).max(Long.MAX_VALUE))
            .optional("delay", number().min(0))
            .optional("on", bool())
            .optional("backend", oneOf("heap", "rocksdb"))
            .optional("frame", object().optional("maxBytes", integer().min(16)).required("id", string().nonEmpty()))
            .optional("params", openObject())
            .optional("sinks", arrayOf(object().required("path", string())).nonEmpty())
            .optional("tags", arrayOf(string()));

    /** Validates and returns the single-line message of the expected failure. */
    static String failure(ConfigSchema schema, String json) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> schema.validate(new JsonObject(json), SRC));
        assertThat(e).as("expected a ConfigException for %s", json).isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r").startsWith(SRC + ": ");
        return e.getMessage();
    }

    static String failure(String json) {
        return failure(SCHEMA, json);
    }

    @Test
    void acceptsAValidDocument() {
        assertThatCode(() -> SCHEMA.validate(new JsonObject("""
                {"job": "x", "count": 10, "ratio": 0.5, "big": 9000000000, "on": true, "backend": "rocksdb",
                 "frame": {"id": "f", "maxBytes": 16}, "params": {"a": "s", "b": 1.5, "c": false, "d": 3},
                 "sinks": [{"path": "p"}, {"path": "q"}], "tags": []}
                """), SRC)).doesNotThrowAnyException();
        assertThatCode(() -> SCHEMA.validate(new JsonObject("{\"job\": \"\"}"), SRC)).doesNotThrowAnyException();
    }

    @Test
    void unknownKeyListsAllowedKeys() {
        assertThat(failure("{\"job\": \"x\", \"cuont\": 1}"))
                .isEqualTo(SRC + ": unknown key 'cuont' (allowed keys: job, count, ratio, big, delay, on, backend, frame,"
                        + " params, sinks, tags)");
        assertThat(failure("{\"job\": \"x\", \"frame\": {\"id\": \"a\", \"maxByte\": 1}}"))
                .isEqualTo(SRC + ": unknown key 'frame.maxByte' (allowed keys: maxBytes, id)");
        assertThat(failure(object(), "{\"a\": 1}")).isEqualTo(SRC + ": unknown key 'a' (no keys are allowed here)");
    }

    @Test
    void unknownKeyIsReportedBeforeMissingRequiredOne() {
        assertThat(failure("{\"jbo\": \"x\"}")).contains("unknown key 'jbo'");
    }

    @Test
    void missingRequiredKey() {
        assertThat(failure("{}")).isEqualTo(SRC + ": missing required key 'job'");
        assertThat(failure("{\"job\": \"x\", \"frame\": {}}")).isEqualTo(SRC + ": missing required key 'frame.id'");
        assertThat(failure("{\"job\": \"x\", \"sinks\": [{\"path\": \"a\"}, {}]}"))
                .isEqualTo(SRC + ": missing required key 'sinks[1].path'");
    }

    @Test
    void wrongTypeSaysExpectedAndFound() {
        assertThat(failure("{\"job\": \"x\", \"frame\": {\"id\": \"a\", \"maxBytes\": \"big\"}}"))
                .isEqualTo(SRC + ": key 'frame.maxBytes': expected an integer, found \"big\"");
        assertThat(failure("{\"job\": 12}")).isEqualTo(SRC + ": key 'job': expected a string, found 12");
        assertThat(failure("{\"job\": null}")).isEqualTo(SRC + ": key 'job': expected a string, found null");
        assertThat(failure("{\"job\": \"x\", \"on\": \"yes\"}"))
                .isEqualTo(SRC + ": key 'on': expected a boolean, found \"yes\"");
        assertThat(failure("{\"job\": \"x\", \"ratio\": \"0.5\"}"))
                .isEqualTo(SRC + ": key 'ratio': expected a number, found \"0.5\"");
        assertThat(failure("{\"job\": \"x\", \"frame\": [1, 2]}"))
                .isEqualTo(SRC + ": key 'frame': expected an object, found [1,2]");
        assertThat(failure("{\"job\": \"x\", \"sinks\": {\"path\": \"p\"}}"))
                .isEqualTo(SRC + ": key 'sinks': expected an array, found {\"path\":\"p\"}");
        assertThat(failure("{\"job\": \"x\", \"sinks\": [{\"path\": \"a\"}, {\"path\": \"b\"}, {\"path\": 7}]}"))
                .isEqualTo(SRC + ": key 'sinks[2].path': expected a string, found 7");
        assertThat(failure("{\"job\": \"x\", \"tags\": [\"a\", true]}"))
                .isEqualTo(SRC + ": key 'tags[1]': expected a string, found true");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5", "2.0", "1e3", "-0.0"})
    void integerRejectsNonIntegralNotation(String literal) {
        assertThat(failure("{\"job\": \"x\", \"count\": " + literal + "}"))
                .startsWith(SRC + ": key 'count': expected an integer, found ");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"count\": 0            | key 'count': must be between 1 and 10, found 0",
            "\"count\": 11           | key 'count': must be between 1 and 10, found 11",
            "\"count\": 99999999999999999999 | key 'count': must be between 1 and 10, found 99999999999999999999",
            "\"ratio\": 1.01         | key 'ratio': must be between 0 and 1, found 1.01",
            "\"big\": -1             | key 'big': must be between 0 and 9223372036854775807, found -1",
            "\"big\": 9223372036854775808 | key 'big': must be between 0 and 9223372036854775807, found 9223372036854775808",
            "\"delay\": -0.5         | key 'delay': must be at least 0, found -0.5",
    })
    void outOfRange(String member, String expected) {
        assertThat(failure("{\"job\": \"x\", " + member + "}")).isEqualTo(SRC + ": " + expected);
    }

    @Test
    void integerDefaultsToTheIntRange() {
        ConfigSchema s = object().optional("n", integer()).optional("m", integer().min(0));
        assertThat(failure(s, "{\"n\": 2147483648}")).isEqualTo(SRC + ": key 'n': must be at most 2147483647, found 2147483648");
        assertThat(failure(s, "{\"m\": 2147483648}")).isEqualTo(SRC + ": key 'm': must be at most 2147483647, found 2147483648");
        assertThat(failure(s, "{\"n\": -2147483649}")).contains("must be at least -2147483648");
        assertThatCode(() -> s.validate(new JsonObject("{\"n\": -2147483648, \"m\": 2147483647}"), SRC))
                .doesNotThrowAnyException();
    }

    @Test
    void enumRejectsOtherStrings() {
        assertThat(failure("{\"job\": \"x\", \"backend\": \"disk\"}"))
                .isEqualTo(SRC + ": key 'backend': expected one of \"heap\", \"rocksdb\", found \"disk\"");
        assertThat(failure("{\"job\": \"x\", \"backend\": \"Heap\"}")).contains("found \"Heap\"");
        assertThat(failure("{\"job\": \"x\", \"backend\": 1}"))
                .isEqualTo(SRC + ": key 'backend': expected one of \"heap\", \"rocksdb\", found 1");
    }

    @Test
    void nonEmptyAndMatching() {
        assertThat(failure("{\"job\": \"x\", \"frame\": {\"id\": \"\"}}"))
                .isEqualTo(SRC + ": key 'frame.id': must not be empty");
        assertThat(failure("{\"job\": \"x\", \"sinks\": []}")).isEqualTo(SRC + ": key 'sinks': must not be empty");
        ConfigSchema s = object().optional("id", string().matching("[a-z]+", "a lower-case word"));
        assertThat(failure(s, "{\"id\": \"Abc\"}")).isEqualTo(SRC + ": key 'id': expected a lower-case word, found \"Abc\"");
    }

    @Test
    void openObjectAcceptsOnlyScalars() {
        assertThat(failure("{\"job\": \"x\", \"params\": {\"a\": 1, \"n\": {\"deep\": 1}}}"))
                .isEqualTo(SRC + ": key 'params.n': expected a string, number or boolean, found {\"deep\":1}");
        assertThat(failure("{\"job\": \"x\", \"params\": {\"n\": [1]}}")).contains("key 'params.n'");
        assertThat(failure("{\"job\": \"x\", \"params\": {\"n\": null}}")).contains("key 'params.n'", "found null");
        assertThat(failure("{\"job\": \"x\", \"params\": \"a=b\"}"))
                .isEqualTo(SRC + ": key 'params': expected an object, found \"a=b\"");
    }

    @Test
    void foundValueIsShortenedToFortyCharsAndStaysOnOneLine() {
        String longValue = "x".repeat(100);
        String message = failure("{\"job\": \"" + longValue + "\" , \"count\": \"" + longValue + "\"}");
        String found = message.substring(message.indexOf("found ") + "found ".length());
        assertThat(found).hasSize(40).startsWith("\"xxx").endsWith("...");

        JsonObject json = new JsonObject().put("job", "x").put("count", "line1\nline2");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> SCHEMA.validate(json, SRC));
        assertThat(e.getMessage()).isEqualTo(SRC + ": key 'count': expected an integer, found \"line1\\nline2\"");
    }

    @Test
    void acceptsProgrammaticJsonWithNestedMapsAndLists() {
        JsonObject json = new JsonObject()
                .put("job", "x")
                .put("sinks", new JsonArray().add(new JsonObject().put("path", "p")))
                .put("frame", new JsonObject().put("id", "f").put("maxBytes", 20L));
        assertThatCode(() -> SCHEMA.validate(json, SRC)).doesNotThrowAnyException();
    }

    @Test
    void refiningReturnsANewSchemaAndLeavesTheOriginalUnchanged() {
        ConfigSchema base = object().optional("a", string());
        ConfigSchema extended = base.optional("b", integer());
        assertThat(extended).isNotSameAs(base);
        assertThat(failure(base, "{\"b\": 1}")).contains("unknown key 'b'");
        assertThatCode(() -> extended.validate(new JsonObject("{\"b\": 1}"), SRC)).doesNotThrowAnyException();
    }

    @Test
    void builderMisuseIsAProgrammingError() {
        assertThatThrownBy(() -> string().min(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> integer().optional("a", string())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> object().optional("a", string()).required("a", string()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
        assertThatThrownBy(() -> integer().min(5).max(4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> integer().validate(new JsonObject(), SRC)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(ConfigSchema::oneOf).isInstanceOf(IllegalArgumentException.class);
    }
}
