package io.eddy.connectors.generator;

/** A bid of the NEXMark-style benchmark stream: auction and bidder ids, price, event time (ms). */
public record Bid(int auction, int bidder, long price, long ts) {}
