package io.eddy.format;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The built-in formats. Avro is not among them (yet): a schema-file Avro format would need the
 * Avro library in the bundle; write a {@link Format} over it if a job needs one.
 */
public final class Formats {
  private Formats() {}

  /** UTF-8 text; bytes that are not valid UTF-8 are a {@link FormatException}, never replaced. */
  public static Format<String> string() {
    return string(StandardCharsets.UTF_8);
  }

  /** Text in {@code charset}; malformed input is a {@link FormatException}, never replaced. */
  public static Format<String> string(Charset charset) {
    return new Format<>() {
      @Override
      public String deserialize(byte[] bytes) {
        try {
          return charset.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
          throw new FormatException("not valid " + charset.name() + " text (" + e.getMessage() + ")");
        }
      }

      @Override
      public byte[] serialize(String record) {
        try {
          ByteBuffer b = charset.newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(record));
          byte[] out = new byte[b.remaining()];
          b.get(out);
          return out;
        } catch (CharacterCodingException e) {
          throw new FormatException("text cannot be written as " + charset.name() + " (" + e.getMessage() + ")");
        }
      }

      @Override
      public String name() {
        return "string";
      }
    };
  }

  /** The bytes as they are (a copy is neither made nor needed: the caller owns the array). */
  public static Format<byte[]> bytes() {
    return new Format<>() {
      @Override
      public byte[] deserialize(byte[] bytes) {
        return bytes;
      }

      @Override
      public byte[] serialize(byte[] record) {
        return record;
      }

      @Override
      public String name() {
        return "bytes";
      }
    };
  }

  /** A JSON object per message, as a Vert.x {@link JsonObject}; anything else is a format error. */
  public static Format<JsonObject> json() {
    return new Format<>() {
      @Override
      public JsonObject deserialize(byte[] bytes) {
        return parseObject(bytes);
      }

      @Override
      public byte[] serialize(JsonObject record) {
        return record.toBuffer().getBytes();
      }

      @Override
      public String name() {
        return "json";
      }
    };
  }

  /**
   * A JSON object per message, mapped to the Java record {@code type} by component name (see
   * {@link RecordMapping} for the types a component may have). A missing field is null for an
   * object component and an error for a primitive one; unknown fields are ignored.
   */
  public static <R extends Record> Format<R> json(Class<R> type) {
    RecordMapping<R> mapping = RecordMapping.of(type);
    return new Format<>() {
      @Override
      public R deserialize(byte[] bytes) {
        return mapping.fromJson(parseObject(bytes));
      }

      @Override
      public byte[] serialize(R record) {
        return mapping.toJson(record).toBuffer().getBytes();
      }

      @Override
      public java.lang.reflect.Type type() {
        return type;
      }

      @Override
      public String name() {
        return "json";
      }
    };
  }

  /** CSV, one line per message, mapped to {@code type}; see {@link CsvFormat} for the options. */
  public static <R extends Record> CsvFormat<R> csv(Class<R> type) {
    return new CsvFormat<>(RecordMapping.of(type), ',', false);
  }

  static JsonObject parseObject(byte[] bytes) {
    Object value;
    try {
      value = Buffer.buffer(bytes).toJsonValue();
    } catch (DecodeException e) {
      throw new FormatException("not JSON: " + firstLine(e.getMessage()));
    }
    if (value instanceof JsonObject o) {
      return o;
    }
    throw new FormatException("JSON " + (value == null ? "null" : value.getClass().getSimpleName().replace("Json", "").toLowerCase())
        + " where an object was expected");
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
