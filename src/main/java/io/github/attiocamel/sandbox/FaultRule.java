package io.github.attiocamel.sandbox;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A fault the simulator injects into matching requests, e.g.
 * {@code FaultRule.when(r -> r.path().endsWith("/records/query") && r.bodyLong("offset", 0) == 1000).respond(503).times(1)}.
 * Rules are tried in the order they were added; the first matching rule with firings left applies. A latency rule
 * delays the request and a data change alters the data, each then lets it be processed normally; the other kinds
 * answer instead of processing.
 */
public final class FaultRule {

    enum Action { RESPOND, RESET, RETRY_AFTER, LATENCY, CHANGE, LOSE_ANSWER }

    private final Predicate<RecordedRequest> predicate;
    private Action action = Action.RESPOND;
    private int status = 503;
    private String body;
    private Duration duration = Duration.ZERO;
    private Runnable change = () -> { };
    private final AtomicInteger remaining = new AtomicInteger(Integer.MAX_VALUE);
    private final AtomicInteger fired = new AtomicInteger();

    private FaultRule(Predicate<RecordedRequest> predicate) {
        this.predicate = Objects.requireNonNull(predicate, "predicate");
    }

    /** A rule for requests matching the predicate (its status is 0 while matching). */
    public static FaultRule when(Predicate<RecordedRequest> predicate) {
        return new FaultRule(predicate);
    }

    /** A rule for every request. */
    public static FaultRule always() {
        return new FaultRule(request -> true);
    }

    /** A rule for one method (or null for any) on paths matching a regular expression, e.g. {@code ".*records/query"}. */
    public static FaultRule on(String method, String pathRegex) {
        java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(pathRegex);
        return new FaultRule(r -> (method == null || method.equalsIgnoreCase(r.method()))
                && pattern.matcher(r.path()).matches());
    }

    /** Answer with this status; 5xx bodies are plain text like a load balancer's, others Attio's JSON error. */
    public FaultRule respond(int httpStatus) {
        return respond(httpStatus, null);
    }

    /** Answer with this status and exactly this body (null: the default body for the status). */
    public FaultRule respond(int httpStatus, String responseBody) {
        this.action = Action.RESPOND;
        this.status = httpStatus;
        this.body = responseBody;
        return this;
    }

    /** Drop the TCP connection without an answer (RST): the client sees an I/O error. */
    public FaultRule resetConnection() {
        this.action = Action.RESET;
        return this;
    }

    /**
     * Process the request (a write takes effect), then drop the connection instead of answering: the client cannot
     * tell whether its write happened, as when a proxy or the network fails after Attio committed.
     */
    public FaultRule loseAnswer() {
        this.action = Action.LOSE_ANSWER;
        return this;
    }

    /** Answer 429 rate_limit_exceeded with a Retry-After HTTP-date at least {@code ahead} in the future. */
    public FaultRule retryAfter(Duration ahead) {
        this.action = Action.RETRY_AFTER;
        this.duration = ahead;
        return this;
    }

    /** Delay the answer by {@code delay} (on top of the global latency), then process normally. */
    public FaultRule latency(Duration delay) {
        this.action = Action.LATENCY;
        this.duration = delay;
        return this;
    }

    /**
     * Change Attio's data when a matching request arrives (e.g. delete records as page 3 of a query is asked for),
     * then process the request normally: data moving under a client that pages through it.
     */
    public FaultRule changeData(Runnable change) {
        this.action = Action.CHANGE;
        this.change = Objects.requireNonNull(change, "change");
        return this;
    }

    /** Fire at most {@code n} times (default: unlimited). */
    public FaultRule times(int n) {
        remaining.set(n);
        return this;
    }

    /** How many requests this rule has affected. */
    public int fired() {
        return fired.get();
    }

    boolean tryFire(RecordedRequest request) {
        if (remaining.get() <= 0 || !predicate.test(request)) {
            return false;
        }
        if (remaining.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : n - 1) <= 0) {
            return false;
        }
        fired.incrementAndGet();
        return true;
    }

    Action action() {
        return action;
    }

    int status() {
        return status;
    }

    String body() {
        return body;
    }

    Duration duration() {
        return duration;
    }

    Runnable change() {
        return change;
    }
}
