package io.eddy.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SerdeRegistryTest {

    enum Op {
        ADD { @Override int apply(int a, int b) { return a + b; } },
        MUL { @Override int apply(int a, int b) { return a * b; } };

        abstract int apply(int a, int b);
    }

    record Point(int x, int y) {
    }

    record Line(Point from, Point to, Op op) {
    }

    /** Neither a record nor Serializable, and not registered. */
    static final class Unsupported {
    }

    static final class Legacy implements Serializable {
        private static final long serialVersionUID = 7L;
        final String name;
        final int[] numbers;

        Legacy(String name, int[] numbers) {
            this.name = name;
            this.numbers = numbers;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Legacy l && Objects.equals(name, l.name) && java.util.Arrays.equals(numbers, l.numbers);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name);
        }
    }

    private final SerdeRegistry registry = SerdeRegistry.withBuiltIns();

    private static <T> T roundTrip(Serde<T> serde, T value) {
        DataWriter w = new DataWriter(4);
        serde.write(value, w);
        DataReader r = new DataReader(w.toByteArray());
        T back = serde.read(r);
        assertThat(r.hasRemaining()).isFalse();
        return back;
    }

    @Test
    void primitiveAndBoxedClassesShareTheBuiltIns() {
        assertThat(registry.forClass(int.class)).isSameAs(Serdes.INT).isSameAs(registry.forClass(Integer.class));
        assertThat(registry.forClass(long.class)).isSameAs(Serdes.LONG);
        assertThat(registry.forClass(double.class)).isSameAs(Serdes.DOUBLE);
        assertThat(registry.forClass(float.class)).isSameAs(Serdes.FLOAT);
        assertThat(registry.forClass(boolean.class)).isSameAs(Serdes.BOOLEAN);
        assertThat(registry.forClass(short.class)).isSameAs(Serdes.SHORT);
        assertThat(registry.forClass(byte.class)).isSameAs(Serdes.BYTE);
        assertThat(registry.forClass(char.class)).isSameAs(Serdes.CHAR);
        assertThat(registry.forClass(String.class)).isSameAs(Serdes.STRING);
        assertThat(registry.forClass(byte[].class)).isSameAs(Serdes.BYTES);
    }

    @Test
    void recordsAndEnumsAreBuiltOnceAndCached() {
        Serde<Line> line = registry.forClass(Line.class);
        assertThat(registry.forClass(Line.class)).isSameAs(line);
        assertThat(registry.forClass(Op.class)).isSameAs(registry.forClass(Op.class));
        Line l = new Line(new Point(1, 2), new Point(-3, 4), Op.MUL);
        assertThat(roundTrip(line, l)).isEqualTo(l);
        assertThat(SerdeRegistry.withBuiltIns().forClass(Line.class)).as("registries are independent").isNotSameAs(line);
    }

    @Test
    void forValueUsesTheRuntimeClassIncludingEnumConstantBodies() {
        assertThat(Op.ADD.getClass()).isNotEqualTo(Op.class); // constant with a body is a subclass
        Serde<Object> serde = registry.forValue(Op.ADD);
        assertThat(roundTrip(serde, Op.ADD)).isSameAs(Op.ADD);
        assertThat(roundTrip(registry.forValue("text"), "text")).isEqualTo("text");
        assertThat(roundTrip(registry.forValue(new Point(5, 6)), new Point(5, 6))).isEqualTo(new Point(5, 6));
        assertThatThrownBy(() -> registry.forValue(null)).isInstanceOf(SerdeException.class);
    }

    @Test
    void unsupportedClassErrorNamesTheClassAndTheFix() {
        assertThatThrownBy(() -> registry.forClass(Unsupported.class))
                .isInstanceOf(SerdeException.class)
                .hasMessageContaining(Unsupported.class.getName())
                .hasMessageContaining("register")
                .hasMessageContaining("record");
        // an interface is written with the runtime class of each value
        DataWriter out = new DataWriter(16);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Serde<List> lists = registry.forClass(List.class);
        lists.write(new java.util.ArrayList<>(List.of("a", "b")), out);
        assertThat(lists.read(new DataReader(out.toByteArray()))).isEqualTo(List.of("a", "b"));
    }

    @Test
    void registrationOverridesABuiltIn() {
        Serde<String> upper = new Serde<>() {
            @Override
            public void write(String value, DataWriter out) {
                out.writeString(value.toUpperCase());
            }

            @Override
            public String read(DataReader in) {
                return in.readString();
            }
        };
        assertThat(registry.register(String.class, upper)).isSameAs(registry);
        assertThat(registry.forClass(String.class)).isSameAs(upper);
        assertThat(roundTrip(registry.forClass(String.class), "abc")).isEqualTo("ABC");
        assertThat(SerdeRegistry.withBuiltIns().forClass(String.class)).as("other registries unaffected")
                .isSameAs(Serdes.STRING);
    }

    @Test
    void registeringAPrimitiveAlsoCoversItsWrapper() {
        Serde<Integer> fixed = new Serde<>() {
            @Override
            public void write(Integer value, DataWriter out) {
                out.writeInt(value);
            }

            @Override
            public Integer read(DataReader in) {
                return in.readInt();
            }
        };
        registry.register(int.class, fixed);
        assertThat(registry.forClass(Integer.class)).isSameAs(fixed);
        DataWriter w = new DataWriter(8);
        registry.forClass(Point.class).write(new Point(1, 2), w);
        assertThat(w.size()).as("record built after registration uses the fixed 4-byte int").isEqualTo(8);
    }

    @Test
    void registrationOverridesRecordBuilding() {
        Serde<Point> xOnly = new Serde<>() {
            @Override
            public void write(Point value, DataWriter out) {
                out.writeVarInt(value.x());
            }

            @Override
            public Point read(DataReader in) {
                return new Point(in.readVarInt(), 0);
            }
        };
        registry.register(Point.class, xOnly);
        assertThat(roundTrip(registry.forClass(Line.class), new Line(new Point(1, 2), new Point(3, 4), Op.ADD)))
                .isEqualTo(new Line(new Point(1, 0), new Point(3, 0), Op.ADD));
    }

    @Test
    void javaSerializationIsOnlyUsedWhenTheJobOptsIn() {
        assertThatThrownBy(() -> registry.forClass(Legacy.class))
                .isInstanceOf(SerdeException.class)
                .hasMessageContaining("No serde for " + Legacy.class.getName())
                .hasMessageContaining("Serdes.javaSerialization(Legacy.class)");
        registry.register(Legacy.class, Serdes.javaSerialization(Legacy.class));
        Serde<Legacy> serde = registry.forClass(Legacy.class);
        assertThat(serde.id()).contains("java-serialization").contains(Legacy.class.getName()).contains("#7");
        Legacy value = new Legacy("old", new int[] {1, 2, 3});
        assertThat(roundTrip(serde, value)).isEqualTo(value);
        assertThat(roundTrip(serde, null)).isNull();
    }

    /** Serializable, holding an object of any class: what a gadget chain hides in. */
    static final class Holder implements Serializable {
        private static final long serialVersionUID = 1L;
        final Object inside;

        Holder(Object inside) {
            this.inside = inside;
        }
    }

    /** Stands for a gadget: counts how often Java deserialization ran its readObject. */
    static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;
        static final java.util.concurrent.atomic.AtomicInteger READ = new java.util.concurrent.atomic.AtomicInteger();

        private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            READ.incrementAndGet();
            in.defaultReadObject();
        }
    }

    @Test
    void theOptInAllowListRefusesAnyOtherClassInTheStream() {
        Serde<Holder> serde = Serdes.javaSerialization(Holder.class);
        assertThat(roundTrip(serde, new Holder("text")).inside).isEqualTo("text");
        DataWriter w = new DataWriter(64);
        serde.write(new Holder(new Gadget()), w);
        int before = Gadget.READ.get();
        byte[] bytes = w.toByteArray();
        assertThatThrownBy(() -> serde.read(new DataReader(bytes, 0, bytes.length)))
                .isInstanceOf(SerdeException.class)
                .hasMessageContaining("refused: the stream holds a class outside the allow-list");
        assertThat(Gadget.READ.get()).as("the gadget's readObject never ran").isEqualTo(before);
        // listing the class lets it through
        Serde<Holder> wider = Serdes.javaSerialization(Holder.class, Gadget.class);
        DataReader in = new DataReader(bytes, 0, bytes.length);
        assertThat(wider.read(in).inside).isInstanceOf(Gadget.class);
    }

    @Test
    void concurrentFirstLookupsAgreeOnOneInstance() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 20; round++) {
                SerdeRegistry fresh = SerdeRegistry.withBuiltIns();
                List<Callable<Serde<Line>>> tasks = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    tasks.add(() -> fresh.forClass(Line.class));
                }
                Set<Serde<Line>> seen = new HashSet<>();
                for (Future<Serde<Line>> f : pool.invokeAll(tasks)) {
                    seen.add(f.get());
                }
                assertThat(seen).hasSize(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    sealed interface Shape permits Circle, Square {
    }

    record Circle(double r) implements Shape {
    }

    record Square(Point corner, long[] sides) implements Shape {
    }

    record Label(String text) {
    }

    record Note(String text) {
    }

    record Drawing(List<Shape> shapes, java.util.Map<String, Label[]> labels, Op op, Object extra,
            Runnable callback) {
    }

    record Opaque(Note inside) {
    }

    @Test
    void theCarriedSetIsTheClosureOfTheDeclaredTypesUnderWhatTheirSerdesName() {
        registry.register(Opaque.class, new Serde<>() {
            @Override
            public void write(Opaque value, DataWriter out) {
                out.writeString(value.inside().text());
            }

            @Override
            public Opaque read(DataReader in) {
                return new Opaque(new Note(in.readString()));
            }

            @Override
            public String id() {
                return "test.opaque:1";
            }
        });
        registry.allow(Drawing.class).allow(Opaque.class);
        // components, List<X> and Map<K, V[]> arguments, arrays, sealed subclasses and their components, enum bodies
        for (Class<?> c : List.of(Drawing.class, Circle.class, Square.class, Point.class, long[].class, Label.class,
                Label[].class, Op.class, Op.ADD.getClass(), Op.MUL.getClass(), String.class, Opaque.class)) {
            assertThat(registry.carries(c)).as(c.getName()).isTrue();
            assertThat(registry.resolve(c.getName(), null, "test")).isSameAs(c);
        }
        // dynamic positions add nothing; a registered serde is opaque (what it writes inside is its business)
        for (Class<?> c : List.of(Object.class, Shape.class, Runnable.class, Note.class, Unsupported.class,
                Thread.class, java.util.PriorityQueue.class)) {
            assertThat(registry.carries(c)).as(c.getName()).isFalse();
            assertThatThrownBy(() -> registry.resolve(c.getName(), null, "test")).as(c.getName())
                    .isInstanceOf(SerdeException.class).hasMessageContaining("not a type this job can carry");
        }
        // the JDK's concrete lists, sets and maps are read as known collection classes, so they are always carried
        assertThat(registry.resolve("java.util.ArrayList", null, "test")).isSameAs(java.util.ArrayList.class);
        assertThat(registry.resolve(List.of(1, 2, 3).getClass().getName(), null, "test")).isSameAs(List.of(1, 2, 3).getClass());
        // Pipeline.registerType's way in: a class carried only in an Object component
        registry.allow(Note.class);
        assertThat(registry.resolve(Note.class.getName(), null, "test")).isSameAs(Note.class);
        Serde<Drawing> serde = registry.forClass(Drawing.class);
        Drawing back = roundTrip(serde, new Drawing(List.of(new Circle(1)), java.util.Map.of(), Op.ADD,
                new Note("n"), null));
        assertThat(back.extra()).isEqualTo(new Note("n"));
        assertThat(back.op()).isEqualTo(Op.ADD);
    }
}
