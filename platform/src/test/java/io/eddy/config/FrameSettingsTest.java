package io.eddy.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameSettingsTest {

    @Test
    void defaults() {
        assertThat(FrameSettings.DEFAULTS).isEqualTo(new FrameSettings(1024, 32768, 5, 16, false));
        assertThat(FrameSettings.fromValidated(null)).isEqualTo(FrameSettings.DEFAULTS);
        assertThat(FrameSettings.fromValidated(new JsonObject())).isEqualTo(FrameSettings.DEFAULTS);
    }

    @Test
    void missingKeysTakeDefaults() {
        assertThat(FrameSettings.fromValidated(new JsonObject().put("credits", 4).put("flushMillis", 0)))
                .isEqualTo(new FrameSettings(1024, 32768, 0, 4, false));
    }

    @Test
    void constructorRejectsOutOfRangeValues() {
        assertThatThrownBy(() -> new FrameSettings(0, 32768, 5, 16, false)).hasMessageContaining("maxRecords");
        assertThatThrownBy(() -> new FrameSettings(1, 15, 5, 16, false)).hasMessageContaining("maxBytes");
        assertThatThrownBy(() -> new FrameSettings(1, 16, -1, 16, false)).hasMessageContaining("flushMillis");
        assertThatThrownBy(() -> new FrameSettings(1, 16, 0, 0, false)).hasMessageContaining("credits");
        assertThatThrownBy(() -> new FrameSettings(1, 16, 0, 1025, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("credits");
        assertThat(new FrameSettings(1, 16, 0, 1024, true).credits()).isEqualTo(1024);
    }
}
