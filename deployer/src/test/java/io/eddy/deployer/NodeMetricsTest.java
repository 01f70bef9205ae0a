package io.eddy.deployer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The node's registry as {@code GET /metrics} writes it: names, units and label values in Prometheus form. */
class NodeMetricsTest {
  @Test
  void countersEndInTotalTimesInSecondsAndLabelValuesAreEscaped() {
    NodeMetrics m = new NodeMetrics();
    try {
      AtomicLong records = new AtomicLong(41);
      FunctionCounter.builder("eddy.operator." + TaskMeters.snake("lateRecordsDropped"), records, AtomicLong::get)
          .description("late records").tags("operator", "say \"hi\" \\ then\nbye").register(m.registry());
      FunctionCounter.builder("eddy.task.back.pressured", records, r -> 1.5).baseUnit("seconds")
          .description("blocked").register(m.registry());
      records.incrementAndGet(); // read when scraped
      String text = m.registry().scrape();
      assertThat(text)
          .contains("# HELP eddy_operator_late_records_dropped_total late records\n")
          .contains("# TYPE eddy_operator_late_records_dropped_total counter\n")
          .contains("eddy_operator_late_records_dropped_total{operator=\"say \\\"hi\\\" \\\\ then\\nbye\"} 42.0\n")
          .contains("# TYPE eddy_task_back_pressured_seconds_total counter\n")
          .contains("eddy_task_back_pressured_seconds_total 1.5\n")
          .contains("jvm_memory_used_bytes");
    } finally {
      m.close();
    }
  }
}
