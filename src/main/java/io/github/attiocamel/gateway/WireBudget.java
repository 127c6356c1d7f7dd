package io.github.attiocamel.gateway;

import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The last line of the rate budgets, at the wire. The throttles pace requests, but the moment a request reaches Attio
 * lies somewhere between leaving the throttle and its answer coming back, and on a busy machine that gap can be
 * hundreds of milliseconds, enough to put more than the budget into one of Attio's seconds. This guard closes the gap
 * exactly: a request may go on the wire only while fewer than {@code budget} requests are in flight or were answered
 * in the last second. Any N+1 arrivals within one second at Attio would need the last of them to be sent while the
 * other N were in flight or answered less than a second before, which the guard forbids.
 *
 * <p>Requests are classed as Attio classes them: GET, {@code .../query} and {@code .../search} are reads.
 *
 * <p>That bound is one process's. Attio's limits are per workspace, across processes and tokens: in workspace scope
 * ({@code attio.budget.scope}) a request also takes its permit from the {@link WorkspaceBudget} every process sharing
 * the store draws from, and waits out the holds any of them recorded after a 429.
 */
final class WireBudget implements ExecChainHandler {

    private final Window reads;
    private final Window writes;
    private final GatewayMetrics metrics;
    private volatile WorkspaceBudget workspace;

    WireBudget(int readsPerSecond, int writesPerSecond, GatewayMetrics metrics) {
        this.reads = new Window(readsPerSecond);
        this.writes = new Window(writesPerSecond);
        this.metrics = metrics;
    }

    /** From now on permits come from the workspace's budget too (workspace scope). */
    void shareWorkspace(WorkspaceBudget budget) {
        this.workspace = budget;
    }

    /** Reads on the wire in the last second (in flight or answered), out of the read budget. */
    int readsInUse() {
        return reads.inUse();
    }

    /** Writes on the wire in the last second (in flight or answered), out of the write budget. */
    int writesInUse() {
        return writes.inUse();
    }

    static boolean isRead(String method, String path) {
        return "GET".equals(method) || path.endsWith("/query") || path.endsWith("/search");
    }

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        String path = request.getPath();
        int query = path.indexOf('?');
        String bare = query < 0 ? path : path.substring(0, query);
        Window window = isRead(request.getMethod(), bare) ? reads : writes;
        String budget = window == reads ? "read" : "write";
        long start = System.nanoTime();
        window.acquire();
        WorkspaceBudget shared = workspace;
        WorkspaceBudget.Slot slot = null;
        if (shared != null) {
            try {
                slot = shared.acquire(budget, bare.endsWith("/query"));
            } catch (IOException e) {
                window.release();
                throw e;
            }
        }
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (waited > 0) {
            metrics.throttleDelay(budget, java.time.Duration.ofMillis(waited));
        }
        try {
            return chain.proceed(request, scope);
        } finally {
            // headers are back (or the exchange failed): the request has certainly reached Attio by now
            window.release();
            if (slot != null) {
                shared.release(slot);
            }
        }
    }

    /** In-flight requests plus answers of the last second, bounded by the budget. */
    static final class Window {
        private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
        private final int budget;
        private final ArrayDeque<Long> answeredAt = new ArrayDeque<>();
        private int inFlight;

        Window(int budget) {
            this.budget = budget;
        }

        /** Blocks until a slot is free. */
        synchronized void acquire() throws InterruptedIOException {
            while (true) {
                long now = System.nanoTime();
                forgetOlderThanASecond(now);
                if (inFlight + answeredAt.size() < budget) {
                    inFlight++;
                    return;
                }
                long waitNanos = answeredAt.isEmpty() ? SECOND : SECOND - (now - answeredAt.peekFirst());
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, Math.max(waitNanos, 100_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted waiting for the Attio rate budget");
                }
            }
        }

        /** What the guard counts against the budget now: requests in flight plus answers of the last second. */
        synchronized int inUse() {
            forgetOlderThanASecond(System.nanoTime());
            return inFlight + answeredAt.size();
        }

        private void forgetOlderThanASecond(long now) {
            while (!answeredAt.isEmpty() && now - answeredAt.peekFirst() >= SECOND) {
                answeredAt.pollFirst();
            }
        }

        synchronized void release() {
            inFlight--;
            answeredAt.addLast(System.nanoTime());
            notifyAll();
        }
    }
}
