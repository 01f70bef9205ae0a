package io.eddy.serde;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Rough throughput check of the reflective record serde against a hand-written one, on 1M records.
 * Prints timings; asserts only correctness (timings on shared CI machines are too noisy to assert).
 */
class RecordThroughputTest {

    record Bid(int auction, int bidder, long price, long ts) {
    }

    /** What a user would write by hand: the floor the record serde should approach. */
    static final class HandWrittenBidSerde implements Serde<Bid> {
        @Override
        public void write(Bid b, DataWriter out) {
            out.writeZigZagInt(b.auction());
            out.writeZigZagInt(b.bidder());
            out.writeZigZagLong(b.price());
            out.writeZigZagLong(b.ts());
        }

        @Override
        public Bid read(DataReader in) {
            return new Bid(in.readZigZagInt(), in.readZigZagInt(), in.readZigZagLong(), in.readZigZagLong());
        }
    }

    private static final int RECORDS = 1_000_000;
    private static final int ROUNDS = 10;

    @Test
    void serializeOneMillionBids() {
        Bid[] bids = new Bid[RECORDS];
        long expectedSum = 0;
        for (int i = 0; i < RECORDS; i++) {
            bids[i] = new Bid(i % 10_000, i % 777, 1_000L + (i * 31L) % 100_000, 1_700_000_000_000L + i);
            expectedSum += bids[i].auction() + bids[i].bidder() + bids[i].price() + bids[i].ts();
        }
        Serde<Bid> reflective = SerdeRegistry.withBuiltIns().forClass(Bid.class);
        Serde<Bid> handWritten = new HandWrittenBidSerde();

        String recordResult = measure("record serde (MethodHandle)", reflective, bids, expectedSum);
        String handResult = measure("hand-written serde         ", handWritten, bids, expectedSum);
        System.out.println("[serde] " + recordResult);
        System.out.println("[serde] " + handResult);
    }

    private static String measure(String name, Serde<Bid> serde, Bid[] bids, long expectedSum) {
        DataWriter out = new DataWriter(16 * RECORDS);
        long bestWrite = Long.MAX_VALUE;
        long bestRead = Long.MAX_VALUE;
        long firstWrite = 0;
        long firstRead = 0;
        for (int round = 0; round < ROUNDS; round++) {
            out.reset();
            long t0 = System.nanoTime();
            for (Bid b : bids) {
                serde.write(b, out);
            }
            long t1 = System.nanoTime();
            DataReader in = new DataReader(out.array(), 0, out.size());
            long sum = 0;
            for (int i = 0; i < bids.length; i++) {
                Bid b = serde.read(in);
                sum += b.auction() + b.bidder() + b.price() + b.ts();
            }
            long t2 = System.nanoTime();
            assertThat(in.hasRemaining()).isFalse();
            assertThat(sum).isEqualTo(expectedSum);
            if (round == 0) {
                firstWrite = t1 - t0;
                firstRead = t2 - t1;
            }
            bestWrite = Math.min(bestWrite, t1 - t0);
            bestRead = Math.min(bestRead, t2 - t1);
        }
        return String.format("%s: 1M Bids = %d bytes; write first %d ms, best %d ms (%.1f ns/rec); "
                        + "read first %d ms, best %d ms (%.1f ns/rec)",
                name, out.size(), firstWrite / 1_000_000, bestWrite / 1_000_000, bestWrite / (double) bids.length,
                firstRead / 1_000_000, bestRead / 1_000_000, bestRead / (double) bids.length);
    }
}
