package io.eddy.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where paths named by a request may point: on a cluster, every directory a REST request names (a checkpoint
 * directory, a savepoint, a savepoint to start from) must lie under one of the roots configured for the node; a
 * local {@code run} is the user's own process and {@link #unrestricted()}.
 *
 * <p>A path is made absolute, normalized ({@code ..} removed) and, as far as it exists, resolved through symbolic
 * links before it is compared with the roots, so neither {@code ../} nor a link inside a root leads out of it.
 * Immutable and thread-safe; {@link #resolve} touches the file system (reads links) and so belongs on a worker
 * thread.
 */
public final class PathPolicy {
  private static final PathPolicy UNRESTRICTED = new PathPolicy(null);

  /** Null: any path. */
  private final List<Path> roots;

  private PathPolicy(List<Path> roots) {
    this.roots = roots;
  }

  /** @return a policy that accepts every path (a local run) */
  public static PathPolicy unrestricted() {
    return UNRESTRICTED;
  }

  /**
   * @param roots the directories paths must stay under; at least one
   * @return a policy accepting only paths under one of them
   */
  public static PathPolicy under(List<Path> roots) {
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("a restricted path policy needs at least one root");
    }
    List<Path> real = new ArrayList<>();
    for (Path r : roots) {
      try {
        real.add(canonical(Objects.requireNonNull(r, "root")));
      } catch (IOException e) {
        real.add(r.toAbsolutePath().normalize());
      }
    }
    return new PathPolicy(List.copyOf(real));
  }

  /** @return the roots, or an empty list when unrestricted */
  public List<Path> roots() {
    return roots == null ? List.of() : roots;
  }

  /**
   * @param what names the path in a message, e.g. {@code "key 'checkpoints.directory'"}
   * @param path the path as given; a {@code file://} prefix is dropped
   * @return the path, absolute and normalized
   * @throws ConfigException naming {@code what} and the path if it is not a valid path or lies outside every root
   */
  public Path resolve(String what, String path) {
    Objects.requireNonNull(what, "what");
    if (path == null || path.isBlank()) {
      throw new ConfigException(what + ": an empty path");
    }
    String plain = path.startsWith("file://") ? path.substring("file://".length()) : path;
    Path p;
    try {
      p = Path.of(plain).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new ConfigException(what + ": '" + path + "' is not a valid path: " + e.getReason());
    }
    if (roots == null) {
      return p;
    }
    Path real;
    try {
      real = canonical(p);
    } catch (IOException e) {
      // e.g. a dangling link: where it leads cannot be checked
      throw new ConfigException(what + ": '" + path + "' cannot be resolved: " + e);
    }
    for (Path root : roots) {
      if (real.startsWith(root)) {
        return p;
      }
    }
    throw new ConfigException(what + ": '" + path + "' is outside the directories this cluster allows ("
        + roots + "; node setting 'pathRoots')");
  }

  /** The absolute, normalized path with its longest existing prefix resolved through links. */
  private static Path canonical(Path path) throws IOException {
    Path p = path.toAbsolutePath().normalize();
    Path existing = p;
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return p;
    }
    return existing.toRealPath().resolve(existing.relativize(p)).normalize();
  }

  @Override
  public String toString() {
    return roots == null ? "unrestricted" : "under " + roots;
  }
}
