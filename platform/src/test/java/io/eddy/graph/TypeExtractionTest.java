package io.eddy.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eddy.api.DataStream;
import io.eddy.api.KeyedProcessFunction;
import io.eddy.api.OutputTag;
import io.eddy.api.Pipeline;
import io.eddy.api.ProcessFunction;
import io.eddy.api.function.AggregateFunction;
import io.eddy.api.function.Collector;
import io.eddy.api.function.FlatMapFunction;
import io.eddy.api.function.KeySelector;
import io.eddy.api.function.MapFunction;
import io.eddy.connector.Sink;
import io.eddy.connector.Source;
import io.eddy.connector.SourceReader;
import io.eddy.connector.SourceReaderContext;
import io.eddy.connector.SourceSplit;
import io.eddy.time.TimeWindow;
import io.eddy.time.TumblingWindows;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TypeExtractionTest {

  record Word(String text, int count) {}

  record Line(String text) {}

  static List<Word> tokenize(String line) {
    List<Word> out = new ArrayList<>();
    for (String w : line.split(" ")) {
      out.add(new Word(w, 1));
    }
    return out;
  }

  static void emitWords(String line, Collector<Word> out) {
    for (String w : line.split(" ")) {
      out.collect(new Word(w, 1));
    }
  }

  static final class ToWord implements MapFunction<String, Word> {
    @Override
    public Word map(String value) {
      return new Word(value, 1);
    }
  }

  /** The output type is bound two levels up, through a generic intermediate class. */
  abstract static class Through<X> implements MapFunction<String, X> {}

  static final class ToLine extends Through<Line> {
    @Override
    public Line map(String value) {
      return new Line(value);
    }
  }

  static final class Identity<T> implements MapFunction<T, T> {
    @Override
    public T map(T value) {
      return value;
    }
  }

  static final class Alerts extends KeyedProcessFunction<String, Word, Map<String, Long>> {
    @Override
    public void processElement(Word value, Context<String> ctx, Collector<Map<String, Long>> out) {}
  }

  static final class Count implements AggregateFunction<Word, long[], Long> {
    @Override
    public long[] createAccumulator() {
      return new long[1];
    }

    @Override
    public long[] add(Word value, long[] acc) {
      acc[0] += value.count();
      return acc;
    }

    @Override
    public Long getResult(long[] acc) {
      return acc[0];
    }

    @Override
    public long[] merge(long[] a, long[] b) {
      a[0] += b[0];
      return a;
    }
  }

  private static Type out(Object function, Class<?> base, int index) {
    TypeExtraction.Extracted e = TypeExtraction.typeArgument(function, base, index);
    assertThat(e.known()).as(e.why()).isTrue();
    return e.type();
  }

  @Test
  void aClassAndAGenericSuperclassChain() {
    assertThat(out(new ToWord(), MapFunction.class, 1)).isEqualTo(Word.class);
    assertThat(out(new ToLine(), MapFunction.class, 1)).isEqualTo(Line.class);
    assertThat(out(new ToLine(), MapFunction.class, 0)).isEqualTo(String.class);
    Type alerts = out(new Alerts(), KeyedProcessFunction.class, 2);
    assertThat(alerts).isInstanceOf(ParameterizedType.class);
    assertThat(alerts.getTypeName()).isEqualTo("java.util.Map<java.lang.String, java.lang.Long>");
    assertThat(out(new Count(), AggregateFunction.class, 1)).isEqualTo(long[].class);
  }

  @Test
  void anAnonymousClass() {
    ProcessFunction<String, Word> f = new ProcessFunction<>() {
      @Override
      public void processElement(String value, Context ctx, Collector<Word> out) {}
    };
    assertThat(out(f, ProcessFunction.class, 1)).isEqualTo(Word.class);
  }

  @Test
  void aTypeVariableLeftOpenIsUnknown() {
    TypeExtraction.Extracted e = TypeExtraction.typeArgument(new Identity<Word>(), MapFunction.class, 1);
    assertThat(e.known()).isFalse();
    assertThat(e.why()).contains(Identity.class.getName()).contains("type variable");
  }

  @Test
  void aLambdaGivesItsErasedTypes() {
    MapFunction<String, Word> f = s -> new Word(s, 1);
    assertThat(out(f, MapFunction.class, 1)).isEqualTo(Word.class);
    assertThat(out(f, MapFunction.class, 0)).isEqualTo(String.class);
    MapFunction<String, Integer> length = s -> s.length();
    assertThat(out(length, MapFunction.class, 1)).isEqualTo(Integer.class);
  }

  @Test
  void aLambdaWithCapturedArguments() {
    int base = 7;
    String prefix = "w-";
    MapFunction<String, Word> f = s -> new Word(prefix + s, base);
    assertThat(out(f, MapFunction.class, 1)).isEqualTo(Word.class);
    assertThat(out(f, MapFunction.class, 0)).isEqualTo(String.class);
  }

  @Test
  void methodReferencesKeepTheirGenericSignature() {
    MapFunction<String, List<Word>> tokens = TypeExtractionTest::tokenize;
    assertThat(out(tokens, MapFunction.class, 1).getTypeName())
        .isEqualTo("java.util.List<" + Word.class.getTypeName() + ">");
    // the receiver of an unbound method reference is the first parameter
    MapFunction<String, Integer> length = String::length;
    assertThat(out(length, MapFunction.class, 1)).isEqualTo(Integer.class);
    assertThat(out(length, MapFunction.class, 0)).isEqualTo(String.class);
    KeySelector<Word, String> key = Word::text;
    assertThat(out(key, KeySelector.class, 1)).isEqualTo(String.class);
    assertThat(out(key, KeySelector.class, 0)).isEqualTo(Word.class);
    // a bound receiver is captured
    StringBuilder sb = new StringBuilder("x");
    MapFunction<String, StringBuilder> append = sb::append;
    assertThat(out(append, MapFunction.class, 1)).isEqualTo(StringBuilder.class);
    // a constructor reference produces its class
    MapFunction<String, Line> ctor = Line::new;
    assertThat(out(ctor, MapFunction.class, 1)).isEqualTo(Line.class);
    // a flatMap method reference shows its Collector's argument
    FlatMapFunction<String, Word> emit = TypeExtractionTest::emitWords;
    assertThat(out(emit, FlatMapFunction.class, 1)).isEqualTo(Word.class);
  }

  @Test
  void aFlatMapLambdasCollectorIsErased() {
    FlatMapFunction<String, Word> f = (s, out) -> out.collect(new Word(s, 1));
    TypeExtraction.Extracted e = TypeExtraction.typeArgument(f, FlatMapFunction.class, 1);
    assertThat(e.known()).isFalse();
    assertThat(e.why()).contains("lambda in " + TypeExtractionTest.class.getName()).contains("Collector<R>");
  }

  // ---------------------------------------------------------------- through the API and the plan

  static final class Lines implements Source<String> {
    @Override
    public List<? extends SourceSplit> createSplits(int parallelism) {
      throw new UnsupportedOperationException("planning only");
    }

    @Override
    public SourceReader<String> createReader(SourceReaderContext context) {
      throw new UnsupportedOperationException("planning only");
    }
  }

  static <T> Sink<T> noSink() {
    return context -> {
      throw new UnsupportedOperationException("planning only");
    };
  }

  private static ExecutionPlan plan(Pipeline p) {
    return ExecutionPlan.of(p.graph(), 2, 128);
  }

  @Test
  void anUnknownFlatMapTypeFailsThePlanNamingTheOperatorAndTheFix() {
    Pipeline p = new Pipeline();
    p.source("lines", new Lines())
        .flatMap((String s, Collector<Word> out) -> out.collect(new Word(s, 1))).name("tokenize")
        .keyBy(Word::text)
        .reduce((a, b) -> new Word(a.text(), a.count() + b.count()))
        .sink(noSink());
    assertThatThrownBy(() -> plan(p))
        .isInstanceOf(InvalidTypesException.class)
        .hasMessageContaining("operator 'tokenize'")
        .hasMessageContaining("lambda in " + TypeExtractionTest.class.getName())
        .hasMessageContaining(".returns(Word.class)");
  }

  @Test
  void returnsOverridesAndTypePreservingOperatorsPassItOn() {
    Pipeline p = new Pipeline();
    DataStream<Word> words = p.source("lines", new Lines())
        .flatMap((String s, Collector<Word> out) -> out.collect(new Word(s, 1))).returns(Word.class);
    OutputTag<Word> late = new OutputTag<>("late");
    DataStream<Word> counted = words.filter(w -> !w.text().isEmpty())
        .keyBy(Word::text)
        .window(TumblingWindows.eventTime(Duration.ofSeconds(1)))
        .sideOutputLateData(late)
        .reduce((a, b) -> new Word(a.text(), a.count() + b.count()));
    counted.sink(noSink());
    counted.sideOutput(late).sink(noSink());
    ExecutionPlan plan = plan(p);
    assertThat(plan.carriedTypes()).contains(String.class, Word.class, TimeWindow.class);
    assertThat(plan.edges()).anySatisfy(e -> {
      assertThat(e.keyType()).isEqualTo(String.class);
      assertThat(e.recordType()).isEqualTo(Word.class);
    });
    assertThat(plan.edges()).filteredOn(e -> "late".equals(e.sideTag()))
        .singleElement().satisfies(e -> assertThat(e.recordType()).isEqualTo(Word.class));
  }

  @Test
  void aTypeDeclaredAfterAFilterWasAddedStillReachesIt() {
    Pipeline p = new Pipeline();
    DataStream<Word> words = p.source("lines", new Lines())
        .flatMap((String s, Collector<Word> out) -> out.collect(new Word(s, 1))).name("tokenize");
    DataStream<Word> kept = words.filter(w -> w.count() > 0).name("keep");
    DataStream<Word> all = kept.union(kept.filter(w -> false)).name("all");
    all.keyBy(Word::text).reduce((a, b) -> a).name("first").sink(noSink());
    assertThatThrownBy(() -> plan(p)).hasMessageContaining("operator 'tokenize'");
    words.returns(Word.class);
    ExecutionPlan plan = plan(p);
    assertThat(plan.edges()).isNotEmpty().allSatisfy(e -> assertThat(e.recordType()).isEqualTo(Word.class));
    assertThat(p.graph().transforms()).filteredOn(t -> List.of("keep", "all", "first").contains(t.name()))
        .hasSize(3).allSatisfy(t -> assertThat(t.outputType()).isEqualTo(Word.class));
  }

  @Test
  void aSideOutputWithoutATypeFailsThePlan() {
    Pipeline p = new Pipeline();
    OutputTag<Word> rejected = new OutputTag<>("rejected");
    DataStream<Line> lines = p.source("lines", new Lines()).map(Line::new).name("parse");
    lines.sideOutput(rejected).sink(noSink());
    assertThatThrownBy(() -> plan(p))
        .isInstanceOf(InvalidTypesException.class)
        .hasMessageContaining("operator 'parse'")
        .hasMessageContaining("side output 'rejected'")
        .hasMessageContaining("new OutputTag<>(\"rejected\", Word.class)");
    // a typed tag (by class or by an anonymous subclass) is enough
    Pipeline q = new Pipeline();
    DataStream<Line> lines2 = q.source("lines", new Lines()).map(Line::new).name("parse");
    lines2.sideOutput(new OutputTag<Word>("rejected") {}).sink(noSink());
    lines2.sideOutput(new OutputTag<>("other", Line.class)).sink(noSink());
    lines2.sink(noSink());
    assertThat(plan(q).carriedTypes()).contains(Word.class, Line.class);
  }

  @Test
  void connectedStreamsAndJoinsTakeTheirFunctionsOutput() {
    Pipeline p = new Pipeline();
    DataStream<Word> words = p.source("a", new Lines()).map(s -> new Word(s, 1));
    DataStream<Line> lines = p.source("b", new Lines()).map(Line::new);
    words.connect(lines)
        .keyBy(Word::text, Line::text)
        .process(new io.eddy.api.KeyedCoProcessFunction<String, Word, Line, Long>() {
          @Override
          public void processElement1(Word value, KeyedProcessFunction.Context<String> ctx, Collector<Long> out) {}

          @Override
          public void processElement2(Line value, KeyedProcessFunction.Context<String> ctx, Collector<Long> out) {}
        })
        .sink(noSink());
    ExecutionPlan plan = plan(p);
    assertThat(plan.carriedTypes()).contains(Word.class, Line.class, Long.class, io.eddy.api.TwoInputElement.class);
    assertThat(plan.edges()).anySatisfy(e -> assertThat(e.keyType()).isEqualTo(String.class));
  }
}
