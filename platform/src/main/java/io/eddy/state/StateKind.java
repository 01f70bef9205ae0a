package io.eddy.state;

/** The kinds of keyed state, with the names snapshots record. */
enum StateKind {
  VALUE("value"),
  LIST("list"),
  MAP("map"),
  REDUCING("reducing"),
  AGGREGATING("aggregating");

  private final String jsonName;

  StateKind(String jsonName) {
    this.jsonName = jsonName;
  }

  String jsonName() {
    return jsonName;
  }

  static StateKind ofJson(String name) {
    for (StateKind k : values()) {
      if (k.jsonName.equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown state kind '" + name + "'");
  }
}
