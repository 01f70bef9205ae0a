package io.eddy.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FormatsTest {
  enum Side { BUY, SELL }

  record Item(String sku, int qty) {}

  record Order(String id, long customer, double amount, Side side, Instant at, BigDecimal fee, Integer note) {}

  record Basket(String id, List<Item> items, List<String> tags, JsonObject extra) {}

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void stringRoundTripsAnyTextAndRejectsBrokenUtf8() {
    Format<String> f = Formats.string();
    String text = "gr\u00fc\u00dfe \u2603 \uD83D\uDE00";
    assertThat(f.serialize(text)).isEqualTo(utf8(text));
    assertThat(f.deserialize(utf8(text))).isEqualTo(text);
    assertThatThrownBy(() -> f.deserialize(new byte[] {'a', (byte) 0xC3}))
        .isInstanceOf(FormatException.class).hasMessageContaining("not valid UTF-8");
  }

  @Test
  void bytesAreTheMessage() {
    byte[] b = {0, -1, 7};
    assertThat(Formats.bytes().deserialize(b)).containsExactly(0, -1, 7);
    assertThat(Formats.bytes().serialize(b)).containsExactly(0, -1, 7);
  }

  @Test
  void jsonObjectsParseAndAnythingElseIsAFormatErrorWithItsReason() {
    Format<JsonObject> f = Formats.json();
    JsonObject o = new JsonObject().put("a", 1).put("b", new JsonArray().add("x"));
    assertThat(f.deserialize(f.serialize(o))).isEqualTo(o);
    assertThat(f.deserialize(utf8("{\"k\":\"v\"}")).getString("k")).isEqualTo("v");
    assertThatThrownBy(() -> f.deserialize(utf8("{\"k\":")))
        .isInstanceOf(FormatException.class).hasMessageStartingWith("not JSON");
    assertThatThrownBy(() -> f.deserialize(utf8("[1,2]")))
        .isInstanceOf(FormatException.class).hasMessageContaining("where an object was expected");
  }

  @Test
  void jsonMapsRecordsFieldByFieldAgainstAHandBuiltObject() {
    Format<Order> f = Formats.json(Order.class);
    Random rnd = new Random(7);
    for (int i = 0; i < 200; i++) {
      Order o = new Order("o-" + i + (i % 3 == 0 ? ",\"q\"" : ""), rnd.nextLong(), rnd.nextInt(100000) / 100.0,
          Side.values()[i % 2], Instant.ofEpochMilli(rnd.nextInt(1 << 30) * 1000L), new BigDecimal("0." + i), i % 2 == 0 ? null : i);
      // the oracle: the object a reader of the message would expect
      JsonObject expected = new JsonObject().put("id", o.id()).put("customer", o.customer()).put("amount", o.amount())
          .put("side", o.side().name()).put("at", o.at().toString()).put("fee", o.fee().toPlainString()).put("note", o.note());
      assertThat(new JsonObject(new String(f.serialize(o), StandardCharsets.UTF_8))).isEqualTo(expected);
      assertThat(f.deserialize(expected.toBuffer().getBytes())).isEqualTo(o);
    }
    // epoch millis are accepted for an Instant, unknown fields ignored, a boxed field may be missing
    Order parsed = f.deserialize(utf8("{\"id\":\"x\",\"customer\":3,\"amount\":2,\"side\":\"SELL\",\"at\":1000,\"fee\":\"1.5\",\"more\":1}"));
    assertThat(parsed).isEqualTo(new Order("x", 3, 2.0, Side.SELL, Instant.ofEpochSecond(1), new BigDecimal("1.5"), null));
  }

  @Test
  void jsonRecordsNestListsAndObjects() {
    Format<Basket> f = Formats.json(Basket.class);
    Basket b = new Basket("b1", List.of(new Item("s1", 2), new Item("s2", 5)), List.of("x", "y"), new JsonObject().put("z", true));
    byte[] bytes = f.serialize(b);
    assertThat(new JsonObject(new String(bytes, StandardCharsets.UTF_8)).getJsonArray("items").getJsonObject(1).getInteger("qty")).isEqualTo(5);
    assertThat(f.deserialize(bytes)).isEqualTo(b);
  }

  @Test
  void jsonRecordErrorsNameTheField() {
    Format<Order> f = Formats.json(Order.class);
    assertThatThrownBy(() -> f.deserialize(utf8("{\"id\":\"x\",\"amount\":2}")))
        .isInstanceOf(FormatException.class).extracting(e -> ((FormatException) e).reason())
        .isEqualTo("field 'customer' is missing");
    assertThatThrownBy(() -> f.deserialize(utf8("{\"id\":\"x\",\"customer\":\"abc\",\"amount\":2}")))
        .hasMessage("field 'customer': 'abc' where a number was expected");
    assertThatThrownBy(() -> f.deserialize(utf8("{\"id\":\"x\",\"customer\":1.5,\"amount\":2}")))
        .hasMessage("field 'customer': 1.5 is not a whole number");
    assertThatThrownBy(() -> f.deserialize(utf8("{\"id\":\"x\",\"customer\":1,\"amount\":2,\"side\":\"HOLD\"}")))
        .hasMessageContaining("field 'side': 'HOLD' is not one of [BUY, SELL]");
  }

  record Row(String name, int n, double price, boolean ok) {}

  @Test
  void csvRoundTripsQuotedFieldsAgainstAPlainSplitOracle() {
    CsvFormat<Row> f = Formats.csv(Row.class);
    Random rnd = new Random(11);
    String alphabet = "ab,\"\n x";
    for (int i = 0; i < 500; i++) {
      StringBuilder name = new StringBuilder();
      for (int j = rnd.nextInt(8); j > 0; j--) {
        name.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
      }
      Row r = new Row(name.toString(), rnd.nextInt(), rnd.nextInt(1000) / 4.0, rnd.nextBoolean());
      byte[] line = f.serialize(r);
      assertThat(f.deserialize(line)).isEqualTo(r);
      if (name.indexOf(",") < 0 && name.indexOf("\"") < 0 && name.indexOf("\n") < 0) {
        // nothing to quote: the line is the plain join
        assertThat(new String(line, StandardCharsets.UTF_8)).isEqualTo(r.name() + "," + r.n() + "," + r.price() + "," + r.ok());
      }
    }
    assertThat(f.deserialize(utf8("\"a \"\"b\"\", c\",3,1.5,true\r\n"))).isEqualTo(new Row("a \"b\", c", 3, 1.5, true));
  }

  @Test
  void csvHeaderNamesColumnsInAnyOrderAndYieldsNoRecord() {
    CsvFormat<Row> f = Formats.csv(Row.class).withHeader().withDelimiter(';');
    assertThat(f.header()).isEqualTo("name;n;price;ok");
    List<Row> out = new ArrayList<>();
    for (String line : List.of("ok;extra;price;n;name", "true;zz;2.5;4;w", "false;;0;-1;")) {
      Row r = f.deserialize(utf8(line));
      if (r != null) {
        out.add(r);
      }
    }
    assertThat(out).containsExactly(new Row("w", 4, 2.5, true), new Row("", -1, 0.0, false));
  }

  @Test
  void csvErrorsSayWhatIsWrong() {
    CsvFormat<Row> f = Formats.csv(Row.class);
    assertThatThrownBy(() -> f.deserialize(utf8("a,1,2"))).hasMessage("3 fields where 4 were expected");
    assertThatThrownBy(() -> f.deserialize(utf8("a,x,2,true"))).hasMessage("field 'n': 'x' is not a valid int");
    assertThatThrownBy(() -> f.deserialize(utf8("a,1,2,yes"))).hasMessage("field 'ok': 'yes' is not true or false");
    assertThatThrownBy(() -> f.deserialize(utf8("\"a,1,2,true"))).hasMessage("a quoted field is not closed");
    assertThatThrownBy(() -> Formats.csv(Row.class).withHeader().deserialize(utf8("name,n,ok")))
        .hasMessageContaining("has no column 'price'");
  }
}
