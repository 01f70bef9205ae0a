/**
 * The function interfaces of the API ({@code MapFunction}, {@code FlatMapFunction}, {@code KeySelector},
 * {@code ReduceFunction}, {@code AggregateFunction}, {@code AsyncFunction}, {@code RichFunction} and so the abstract
 * process and window functions). They are {@code Serializable} as in Flink, only so that a lambda or method reference
 * gets a {@code writeReplace} giving a {@code java.lang.invoke.SerializedLambda}, from which
 * {@link io.eddy.graph.TypeExtraction} reads its implementation method and so its types. Eddy never serializes a
 * function: every subtask builds its own from the job class.
 */
package io.eddy.api.function;
