package io.eddy.format;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * CSV (RFC 4180 quoting: fields with the delimiter, a quote or a line break are quoted, a quote
 * inside is doubled), one record per message or line, mapped to a Java record.
 *
 * <p>Without a header the columns are the record's components in declaration order. With
 * {@link #withHeader()} the first line this instance deserializes is the header: it names the
 * columns (in any order; extra columns are ignored, a component without a column is an error)
 * and yields no record ({@code null}, see {@link Format}). Serializing never writes the header; a
 * writer that wants one writes {@link #header()} first.
 */
public final class CsvFormat<R extends Record> implements Format<R> {
  private final RecordMapping<R> mapping;
  private final char delimiter;
  private final boolean header;
  private int[] order; // column i feeds component order[i] (-1: none)

  CsvFormat(RecordMapping<R> mapping, char delimiter, boolean header) {
    this.mapping = mapping;
    this.delimiter = delimiter;
    this.header = header;
    if (!header) {
      order = new int[mapping.names().size()];
      Arrays.setAll(order, i -> i);
    }
  }

  /** The same format with another field delimiter (default {@code ','}). */
  public CsvFormat<R> withDelimiter(char delimiter) {
    if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
      throw new IllegalArgumentException("a CSV delimiter cannot be a quote or a line break");
    }
    return new CsvFormat<>(mapping, delimiter, header);
  }

  /** The same format whose first line is a header naming the columns. */
  public CsvFormat<R> withHeader() {
    return new CsvFormat<>(mapping, delimiter, true);
  }

  /** The header line {@link #serialize} matches: the component names. */
  public String header() {
    return join(mapping.names().toArray(new String[0]));
  }

  @Override
  public R deserialize(byte[] bytes) {
    String line = Formats.string().deserialize(bytes);
    String[] fields = split(stripLineEnd(line));
    if (order == null) {
      order = columnsOf(fields);
      return null;
    }
    if (fields.length != order.length) {
      throw new FormatException(fields.length + " fields where " + order.length + " were expected");
    }
    return mapping.fromFields(fields, order);
  }

  @Override
  public byte[] serialize(R record) {
    return join(mapping.toFields(record)).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String name() {
    return "csv";
  }

  private int[] columnsOf(String[] names) {
    int[] o = new int[names.length];
    boolean[] covered = new boolean[mapping.names().size()];
    for (int i = 0; i < names.length; i++) {
      o[i] = mapping.indexOf(names[i].trim());
      if (o[i] >= 0) {
        covered[o[i]] = true;
      }
    }
    for (int i = 0; i < covered.length; i++) {
      if (!covered[i]) {
        order = null; // the next line is taken as the header again
        throw new FormatException("the header " + Arrays.toString(names) + " has no column '" + mapping.names().get(i) + "'");
      }
    }
    return o;
  }

  private static String stripLineEnd(String line) {
    int end = line.length();
    while (end > 0 && (line.charAt(end - 1) == '\n' || line.charAt(end - 1) == '\r')) {
      end--;
    }
    return line.substring(0, end);
  }

  String[] split(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int i = 0;
    int n = line.length();
    while (true) {
      field.setLength(0);
      if (i < n && line.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= n) {
            throw new FormatException("a quoted field is not closed");
          }
          char c = line.charAt(i++);
          if (c == '"') {
            if (i < n && line.charAt(i) == '"') {
              field.append('"');
              i++;
            } else {
              break;
            }
          } else {
            field.append(c);
          }
        }
        if (i < n && line.charAt(i) != delimiter) {
          throw new FormatException("text after a closing quote at column " + (i + 1));
        }
      } else {
        while (i < n && line.charAt(i) != delimiter) {
          char c = line.charAt(i++);
          if (c == '"') {
            throw new FormatException("a quote inside an unquoted field at column " + i);
          }
          field.append(c);
        }
      }
      out.add(field.toString());
      if (i >= n) {
        return out.toArray(new String[0]);
      }
      i++; // the delimiter
    }
  }

  private String join(String[] fields) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        sb.append(delimiter);
      }
      String f = fields[i];
      if (f.indexOf(delimiter) >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
        sb.append('"').append(f.replace("\"", "\"\"")).append('"');
      } else {
        sb.append(f);
      }
    }
    return sb.toString();
  }

  @Override
  public java.lang.reflect.Type type() {
    return mapping.type();
  }
}
