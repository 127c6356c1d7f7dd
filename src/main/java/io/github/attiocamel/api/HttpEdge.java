package io.github.attiocamel.api;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** Answers given at the HTTP port's edge, before or instead of reading a request's body. */
public final class HttpEdge {

    /** How long a refused sender's connection stays open after the answer, so it can read it. */
    private static final long LINGER_MILLIS = 500;

    private HttpEdge() {
    }

    /**
     * Answers the JSON body; when the request's body was not read to its end, the connection closes after the answer
     * (what is still arriving is not read), so a refused body can neither be buffered nor hold the connection.
     */
    public static void answer(RoutingContext ctx, int status, String json) {
        HttpServerRequest request = ctx.request();
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        boolean unread = !request.isEnded();
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        if (unread) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        response.end(json);
        if (unread) {
            HttpConnection connection = request.connection();
            // not read any further (the sender is held back by TCP), and not closed at once, which could reset the
            // connection before a client still sending has read the answer
            request.exceptionHandler(e -> { });
            request.pause();
            ctx.vertx().setTimer(LINGER_MILLIS, t -> connection.close());
        }
    }
}
