package io.eddy.deployer;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * The first handler of every REST request; it refuses, in this order:
 * <ol>
 *   <li>a request whose {@code Origin} header is not this server's own origin (403): a web page of another site
 *       must not drive the API through the user's browser, even on loopback;</li>
 *   <li>when the node has a token, a request without {@code Authorization: Bearer <token>} (401), except
 *       {@code GET /health} and {@code GET /ready}, which probes call without credentials, and the dashboard's
 *       static files ({@code GET /}, {@code GET /dashboard/...}), which hold no data: the page asks for the token
 *       and sends it with its API calls;</li>
 *   <li>a POST carrying a body, or any content type, other than {@code application/json} (415): an HTML form or a
 *       {@code text/plain} fetch cannot pass, since those need no CORS preflight.</li>
 * </ol>
 * Runs on the REST verticle's event loop; does no I/O.
 */
final class RestGuard implements Handler<RoutingContext> {
  private final byte[] token;
  private final String scheme;

  /**
   * @param token the bearer token requests need, or null for none
   * @param tls   whether the server speaks HTTPS (the scheme of its own origin)
   */
  RestGuard(String token, boolean tls) {
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    this.scheme = tls ? "https" : "http";
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String origin = req.getHeader(HttpHeaders.ORIGIN);
    if (origin != null && !isOwn(origin, req)) {
      RestVerticle.error(ctx, 403, "cross-origin request from '" + origin + "' refused");
      return;
    }
    if (token != null && !needsNoToken(req) && !authorized(req.getHeader(HttpHeaders.AUTHORIZATION))) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"eddy\"");
      RestVerticle.error(ctx, 401, "missing or wrong bearer token (header 'Authorization: Bearer <token>')");
      return;
    }
    if (req.method() == HttpMethod.POST) {
      String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
      if ((type != null || hasBody(req)) && !isJson(type)) {
        RestVerticle.error(ctx, 415, "a POST body must be sent as 'Content-Type: application/json', found "
            + (type == null ? "none" : "'" + type + "'"));
        return;
      }
    }
    ctx.next();
  }

  private boolean isOwn(String origin, HttpServerRequest req) {
    String host = req.getHeader(HttpHeaders.HOST);
    return host != null && origin.equalsIgnoreCase(scheme + "://" + host);
  }

  private static boolean needsNoToken(HttpServerRequest req) {
    String path = req.path();
    return req.method() == HttpMethod.GET && ("/health".equals(path) || "/ready".equals(path) || "/".equals(path)
        || path.startsWith("/dashboard/"));
  }

  private boolean authorized(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    // constant time: the comparison must not tell how much of a guess was right
    return MessageDigest.isEqual(token, header.substring(7).strip().getBytes(StandardCharsets.UTF_8));
  }

  private static boolean hasBody(HttpServerRequest req) {
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    return (length != null && !length.strip().equals("0")) || req.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String mime = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    return mime.equals("application/json");
  }
}
