package io.eddy.examples;

import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.Pipeline;
import io.eddy.api.StreamJob;
import io.eddy.api.function.Collector;
import io.eddy.api.function.RuntimeContext;
import io.eddy.api.state.ValueState;
import io.eddy.api.state.ValueStateDescriptor;
import io.eddy.config.JobParams;
import io.eddy.connectors.file.TextFileSink;
import io.eddy.connectors.file.TextFileSource;
import java.util.Locale;

/**
 * Counts words in text files. Words are the runs of letters and digits, lower-cased; everything
 * else separates them. Output: one line {@code <word> <count>} per distinct word, with the final
 * count, in {@code <output>/part-<subtask>}.
 *
 * <p>Parameters: {@code input} (a file or a directory), {@code output} (a directory).
 */
public final class WordCount implements StreamJob {

  /** A word and how often it occurred. */
  public record WordTally(String word, long count) {}

  @Override
  public void build(Pipeline pipeline, JobParams params) {
    pipeline.source("read", new TextFileSource(params.requirePath("input")))
        .flatMap(WordCount::tokenize).name("tokenize")
        .keyBy(word -> word)
        .process(new CountUntilEnd()).name("count")
        .sink(new TextFileSink<WordTally>(params.requirePath("output"), t -> t.word() + " " + t.count()))
        .name("write");
  }

  /** Splits a line into lower-cased words of letters and digits. */
  static void tokenize(String line, Collector<String> out) {
    int n = line.length();
    int start = -1;
    for (int i = 0; i < n; ) {
      int cp = line.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (Character.isLetterOrDigit(cp)) {
        if (start < 0) {
          start = i;
        }
      } else if (start >= 0) {
        out.collect(line.substring(start, i).toLowerCase(Locale.ROOT));
        start = -1;
      }
      i = next;
    }
    if (start >= 0) {
      out.collect(line.substring(start).toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Counts per word and emits the final count when the input ends: the end of a bounded input
   * advances the watermark to +infinity, which fires the timer set at {@link Long#MAX_VALUE}.
   */
  static final class CountUntilEnd extends KeyedProcessFunction<String, String, WordTally> {
    private ValueState<Long> count;

    @Override
    public void open(RuntimeContext context) {
      count = context.keyedState().getState(new ValueStateDescriptor<>("count", Long.class));
    }

    @Override
    public void processElement(String word, Context<String> ctx, Collector<WordTally> out) {
      Long c = count.value();
      if (c == null) {
        c = 0L;
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
      }
      count.update(c + 1);
    }

    @Override
    public void onTimer(long timestamp, Context<String> ctx, Collector<WordTally> out) {
      out.collect(new WordTally(ctx.currentKey(), count.value()));
    }
  }
}
