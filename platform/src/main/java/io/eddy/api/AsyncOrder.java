package io.eddy.api;

/**
 * In which order {@link DataStream#asyncMap} emits its results. {@link #ORDERED}: in the order of
 * the input records (a slow request holds back the faster ones after it). {@link #UNORDERED}: as
 * the requests complete, except that no result crosses a watermark: the results of the records
 * before a watermark are emitted before it, those of the records after it after it, so event time
 * stays correct downstream.
 */
public enum AsyncOrder {
  ORDERED, UNORDERED
}
