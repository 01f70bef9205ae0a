package io.eddy.state;

/** Calls into user functions of state descriptors. */
final class StateFunctions {
  private StateFunctions() {}

  static Object reduce(StateInfo info, Object accumulated, Object value) {
    try {
      return info.reduceFunction.reduce(accumulated, value);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new RuntimeException("the reduce function of state '" + info.name + "' failed: " + e, e);
    }
  }
}
