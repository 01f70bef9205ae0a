package io.eddy.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordSerdeTest {

    enum Side { BUY, SELL }

    record Bid(int auction, int bidder, long price, long ts) {
    }

    record AllPrimitives(boolean z, byte b, short s, char c, int i, long l, float f, double d) {
    }

    record Address(String city, int zip) {
    }

    record Trader(String name, Side side, List<String> tags, Address address, List<Address> history) {
    }

    record Book(Map<String, List<Long>> levels, List<List<Side>> sides) {
    }

    record Boxed(Integer count, Long total, Side side, Address address, List<Integer> values) {
    }

    record Empty() {
    }

    record Node(int value, Node next) {
    }

    record Blob(byte[] data, String label) {
    }

    record Single(int x) {
    }

    record Holder<T>(T value) {
    }

    record Opaque(String ok, Object anything) {
    }

    record Wide(int a, long b, String c, double d, Side e, boolean f, List<Integer> g, Address h, float i, short j,
                char k, byte l, Integer m, Long n, String o, int p, long q, Map<Side, String> r, byte[] s, int t) {
    }

    private final SerdeRegistry registry = SerdeRegistry.withBuiltIns();

    private <R extends Record> R roundTrip(Class<R> type, R value) {
        Serde<R> serde = Serdes.record(type, registry);
        DataWriter w = new DataWriter(1);
        serde.write(value, w);
        DataReader r = new DataReader(w.toByteArray());
        R back = serde.read(r);
        assertThat(r.hasRemaining()).isFalse();
        return back;
    }

    @Test
    void flatRecordRoundTrips() {
        Bid bid = new Bid(7, -3, Long.MAX_VALUE, Long.MIN_VALUE);
        assertThat(roundTrip(Bid.class, bid)).isEqualTo(bid).isNotSameAs(bid);
    }

    @Test
    void everyPrimitiveComponentRoundTrips() {
        AllPrimitives max = new AllPrimitives(true, Byte.MIN_VALUE, Short.MAX_VALUE, '\uFFFF', Integer.MIN_VALUE,
                Long.MAX_VALUE, Float.NaN, -Double.MAX_VALUE);
        AllPrimitives zero = new AllPrimitives(false, (byte) 0, (short) 0, 'a', 0, 0L, -0.0f, 0.0);
        assertThat(roundTrip(AllPrimitives.class, max)).isEqualTo(max);
        assertThat(roundTrip(AllPrimitives.class, zero)).isEqualTo(zero);
    }

    @Test
    void primitiveComponentsUseTheBuiltInEncodingsWithoutAHeader() {
        DataWriter viaRecord = new DataWriter(8);
        Serdes.record(Bid.class, registry).write(new Bid(1, -1, 300L, Long.MIN_VALUE), viaRecord);
        DataWriter viaBuiltIns = new DataWriter(8);
        Serdes.INT.write(1, viaBuiltIns);
        Serdes.INT.write(-1, viaBuiltIns);
        Serdes.LONG.write(300L, viaBuiltIns);
        Serdes.LONG.write(Long.MIN_VALUE, viaBuiltIns);
        assertThat(viaRecord.toByteArray()).isEqualTo(viaBuiltIns.toByteArray());
        assertThat(viaRecord.size()).isEqualTo(1 + 1 + 2 + 10);
    }

    @Test
    void nestedRecordWithEnumStringAndListComponentsRoundTrips() {
        Trader t = new Trader("Zoë 🚀", Side.SELL, List.of("vip", "", "ü"), new Address("Oslo", 150),
                List.of(new Address("Paris", 75001), new Address(null, -1)));
        Trader back = roundTrip(Trader.class, t);
        assertThat(back).isEqualTo(t);
        assertThat(back.tags()).isInstanceOf(ArrayList.class);
    }

    @Test
    void genericMapAndNestedListComponentsResolveFromTheSignature() {
        Book b = new Book(Map.of("bid", List.of(1L, 2L), "ask", List.of()), List.of(List.of(Side.BUY), List.of()));
        assertThat(roundTrip(Book.class, b)).isEqualTo(b);
    }

    @Test
    void referenceComponentsMayBeNull() {
        Boxed nulls = new Boxed(null, null, null, null, null);
        Boxed values = new Boxed(-5, Long.MIN_VALUE, Side.BUY, new Address("x", 1), List.of(1, 2));
        assertThat(roundTrip(Boxed.class, nulls)).isEqualTo(nulls);
        assertThat(roundTrip(Boxed.class, values)).isEqualTo(values);
        Trader t = new Trader(null, null, null, null, null);
        assertThat(roundTrip(Trader.class, t)).isEqualTo(t);
    }

    @Test
    void byteArrayComponentRoundTrips() {
        Blob back = roundTrip(Blob.class, new Blob(new byte[] {1, -2, 3}, "b"));
        assertThat(back.data()).containsExactly(1, -2, 3);
        assertThat(roundTrip(Blob.class, new Blob(new byte[0], null)).data()).isEmpty();
        assertThat(roundTrip(Blob.class, new Blob(null, "n")).data()).isNull();
    }

    @Test
    void emptyRecordWritesNothing() {
        Serde<Empty> serde = Serdes.record(Empty.class, registry);
        DataWriter w = new DataWriter(4);
        serde.write(new Empty(), w);
        assertThat(w.size()).isZero();
        assertThat(serde.read(new DataReader(new byte[0]))).isEqualTo(new Empty());
    }

    @Test
    void recursiveRecordRoundTrips() {
        Node list = new Node(1, new Node(2, new Node(3, null)));
        assertThat(roundTrip(Node.class, list)).isEqualTo(list);
        assertThat(registry.forClass(Node.class).id()).contains("eddy.ref<" + Node.class.getName() + ">");
    }

    @Test
    void recordsWrittenBackToBackReadInOrder() {
        Serde<Bid> bids = registry.forClass(Bid.class);
        Serde<Trader> traders = registry.forClass(Trader.class);
        DataWriter w = new DataWriter(16);
        for (int i = 0; i < 500; i++) {
            bids.write(new Bid(i, -i, i * 1_000_000_007L, -i), w);
            traders.write(new Trader("t" + i, Side.values()[i % 2], List.of("x" + i), null, List.of()), w);
        }
        DataReader r = new DataReader(w.array(), 0, w.size());
        for (int i = 0; i < 500; i++) {
            assertThat(bids.read(r)).isEqualTo(new Bid(i, -i, i * 1_000_000_007L, -i));
            assertThat(traders.read(r).name()).isEqualTo("t" + i);
        }
        assertThat(r.hasRemaining()).isFalse();
    }

    @Test
    void truncatedRecordInputIsASerdeException() {
        Serde<Trader> serde = registry.forClass(Trader.class);
        DataWriter w = new DataWriter(16);
        serde.write(new Trader("name", Side.BUY, List.of("a", "b"), new Address("c", 9), List.of()), w);
        byte[] all = w.toByteArray();
        for (int cut = 0; cut < all.length; cut++) {
            byte[] partial = Arrays.copyOf(all, cut);
            assertThatThrownBy(() -> serde.read(new DataReader(partial)))
                    .as("cut at %d", cut).isInstanceOf(SerdeException.class);
        }
    }

    @Test
    void idNamesTheRecordAndItsComponents() {
        String id = Serdes.record(Bid.class, registry).id();
        assertThat(id).contains(Bid.class.getName()).contains("auction=eddy.int:1").contains("price=eddy.long:1");
        assertThat(Serdes.record(Bid.class, SerdeRegistry.withBuiltIns()).id()).isEqualTo(id);
        assertThat(Serdes.record(Trader.class, registry).id()).contains("tags=eddy.nullable<eddy.list<eddy.string:1>:1>:1");
    }

    @Test
    void nullRecordIsRejected() {
        assertThatThrownBy(() -> Serdes.record(Bid.class, registry).write(null, new DataWriter(4)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("nullable");
    }

    @Test
    void componentsOfTypeVariableOrObjectCarryTheirClass() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Holder<Object>> holder = (Class) Holder.class;
        Serde<Holder<Object>> holderSerde = Serdes.record(holder, registry);
        registry.allow(Opaque.class); // carried only in an Object component: declared as Pipeline.registerType does
        for (Object v : new Object[] {"text", 42L, new Opaque("x", 7), null}) {
            DataWriter out = new DataWriter(16);
            holderSerde.write(new Holder<>(v), out);
            assertThat(holderSerde.read(new DataReader(out.toByteArray())).value()).isEqualTo(v);
        }
        Serde<Opaque> opaque = Serdes.record(Opaque.class, registry);
        DataWriter out = new DataWriter(16);
        opaque.write(new Opaque("ok", List.of(1, 2)), out);
        assertThat(opaque.read(new DataReader(out.toByteArray()))).isEqualTo(new Opaque("ok", List.of(1, 2)));
    }

    @Test
    void userSerdeForABoxedTypeIsUsedByPrimitiveComponents() {
        // a fixed-width long encoding instead of the zig-zag varint
        Serde<Long> fixedLong = new Serde<>() {
            @Override
            public void write(Long value, DataWriter out) {
                out.writeLong(value);
            }

            @Override
            public Long read(DataReader in) {
                return in.readLong();
            }

            @Override
            public String id() {
                return "test.fixed-long:1";
            }
        };
        registry.register(Long.class, fixedLong);
        Serde<Bid> serde = Serdes.record(Bid.class, registry);
        DataWriter w = new DataWriter(8);
        Bid bid = new Bid(1, 2, 3L, 4L);
        serde.write(bid, w);
        assertThat(w.size()).isEqualTo(1 + 1 + 8 + 8);
        assertThat(serde.read(new DataReader(w.toByteArray()))).isEqualTo(bid);
        assertThat(serde.id()).contains("price=test.fixed-long:1");
    }

    @Test
    void wideRecordKeepsComponentOrder() {
        Wide w = new Wide(1, -2L, "c", 4.5, Side.SELL, true, List.of(7, -8), new Address("h", 9), 1.5f, (short) -10,
                'k', (byte) 12, null, 14L, "ö", -16, Long.MIN_VALUE, Map.of(Side.BUY, "r"), new byte[] {19}, 20);
        Wide back = roundTrip(Wide.class, w);
        assertThat(back).usingRecursiveComparison().isEqualTo(w);
        assertThat(back.t()).isEqualTo(20);
        assertThat(back.s()).containsExactly(19);
    }

    @Test
    void localRecordsWork() {
        record Local(String name, long at) {
        }
        assertThat(roundTrip(Local.class, new Local("here", -1))).isEqualTo(new Local("here", -1));
    }

    @Test
    void oneSerdeInstanceIsSafeToShareAcrossThreads() throws Exception {
        Serde<Trader> serde = registry.forClass(Trader.class);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    DataWriter w = new DataWriter(64);
                    DataReader r = new DataReader(new byte[0]);
                    int ok = 0;
                    for (int i = 0; i < 5_000; i++) {
                        Trader in = new Trader("t" + thread + "-" + i, Side.values()[i % 2], List.of("x" + i),
                                new Address("c" + thread, i), List.of());
                        w.reset();
                        serde.write(in, w);
                        r.reset(w.array(), 0, w.size());
                        if (serde.read(r).equals(in)) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            for (java.util.concurrent.Future<Integer> f : results) {
                assertThat(f.get()).isEqualTo(5_000);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
