package io.eddy.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports for tests, taken from below the kernel's ephemeral range. A port found free by
 * binding port 0 is an ephemeral port: between the test closing it and a server binding it, the
 * kernel may hand the same port to any socket bound to port 0 (an event bus, a client connection),
 * and the server then fails with "Address already in use". Ports below the ephemeral range are never
 * handed out that way, so only another test that chose the same port could take it; the start is
 * random to keep tests running side by side apart.
 */
public final class FreePorts {
  private static final int LOWEST = 10_000;

  private FreePorts() {}

  /** A port free on the loopback address now, below the ephemeral range. */
  public static int next() throws IOException {
    return nextWithFollowers(0);
  }

  /** A port free on {@code host} (another loopback address, say) now, below the ephemeral range. */
  public static int next(String host) throws IOException {
    InetAddress address = InetAddress.getByName(host);
    int highest = ephemeralLow() - 1;
    int span = highest - LOWEST;
    int start = ThreadLocalRandom.current().nextInt(span);
    for (int i = 0; i < span; i++) {
      int port = LOWEST + (start + i) % span;
      try (ServerSocket s = new ServerSocket(port, 1, address)) {
        return port;
      } catch (IOException taken) {
        // try the next
      }
    }
    throw new IOException("no free port on " + host + " between " + LOWEST + " and " + highest);
  }

  /** A free port with the {@code followers} ports after it free too (Hazelcast auto-increments from it). */
  public static int nextWithFollowers(int followers) throws IOException {
    int highest = ephemeralLow() - 1 - followers;
    int span = highest - LOWEST;
    int start = ThreadLocalRandom.current().nextInt(span);
    for (int i = 0; i < span; i++) {
      int port = LOWEST + (start + i) % span;
      boolean all = true;
      for (int k = 0; k <= followers && all; k++) {
        all = free(port + k);
      }
      if (all) {
        return port;
      }
    }
    throw new IOException("no free port between " + LOWEST + " and " + highest);
  }

  /** True when {@code port} can be bound on the loopback address now. */
  public static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The low end of the kernel's ephemeral port range (Linux), or 32768 where it cannot be read. */
  private static int ephemeralLow() {
    // read line-wise: Files.readString gave "3" for this /proc file here (JDK 17), not the range
    try (java.io.BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      int low = Integer.parseInt(r.readLine().trim().split("\\s+")[0]);
      return low > LOWEST + 1_000 ? low : 32_768;
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
