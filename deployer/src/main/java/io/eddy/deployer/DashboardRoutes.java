package io.eddy.deployer;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web dashboard: static HTML, CSS and plain JavaScript from the classpath folder {@value #WEB_ROOT}, served at
 * {@code /} (the page) and {@code /dashboard/*} (its files). The page draws everything from the REST API, which it
 * polls every second; there is no server-side state and no build step.
 *
 * <p>Responses carry a content security policy that allows only this origin's scripts, styles and connections, and
 * forbid framing, so that another site can neither inject script into the page nor overlay its action buttons.
 */
public final class DashboardRoutes {
  /** Where the page's files live on the classpath. */
  public static final String WEB_ROOT = "eddy-dashboard";

  private DashboardRoutes() {
  }

  /** Adds the routes to {@code router}; handlers run on the REST verticle's event loop. */
  public static void mount(Router router) {
    router.get("/").handler(ctx -> ctx.reroute("/dashboard/index.html"));
    router.get("/dashboard/*").handler(ctx -> {
      ctx.response().putHeader("Content-Security-Policy",
              "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
                  + " frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("X-Frame-Options", "DENY")
          .putHeader("Referrer-Policy", "no-referrer");
      ctx.next();
    });
    // no caching headers: after an upgrade a browser must not keep the former page's script for a day
    router.get("/dashboard/*").handler(StaticHandler.create(WEB_ROOT).setIndexPage("index.html")
        .setCachingEnabled(false));
  }
}
