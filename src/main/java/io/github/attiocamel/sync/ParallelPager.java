package io.github.attiocamel.sync;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Offset paging with up to {@code parallel} page requests in flight. Attio's latency, not its rate limit, is what makes
 * sequential offset paging slow; the read budget itself is enforced by the gateway's throttler, which every request
 * goes through.
 *
 * <p>Pages may arrive in any order; they are handed out strictly in offset order (a small reorder buffer of at most
 * {@code parallel} pages), so a consumer sees a contiguous prefix of the result set. That keeps "pages done" a single
 * resumable number and makes the end unambiguous: the first page shorter than the page size is the last one, and any
 * request already issued past it is discarded. Memory is bounded by {@code parallel + 1} pages whatever the size.
 *
 * <p>Without a hint the pager requests ahead speculatively, so a short result set can cost up to {@code parallel - 1}
 * empty reads; with {@code expectedPages} (from the mirror's size) it requests no further than that until the
 * expected last page turned out full, which costs no extra reads when the size did not change.
 *
 * <p>A failed page fails that {@code next()} but not the pager: the next call asks again for the failed page and any
 * other page that failed meanwhile (pages already read are kept), so the caller decides whether and when to retry.
 */
final class ParallelPager<T> implements Iterator<ParallelPager.Page<T>>, Closeable {

    /** Page {@code index} (offset = index x page size) and its records, in Attio's order. */
    public record Page<T>(int index, List<T> records) {}

    private final IntFunction<List<T>> fetchAtOffset;
    private final int pageSize;
    private final int parallel;
    private final int expectedPages;
    private final ExecutorService executor;
    private final TreeMap<Integer, Future<List<T>>> inFlight = new TreeMap<>();
    /** Lowest index known to be the last page (answered short), even if not handed out yet. */
    private final AtomicInteger lastPage = new AtomicInteger(Integer.MAX_VALUE);
    private int nextToRequest;
    private int nextToHand;
    private boolean done;

    /**
     * @param fetchAtOffset one page request at an offset (blocking; the gateway)
     * @param startPage     first page index (a resumed run continues after its pages done)
     * @param expectedPages pages the result set is expected to have, 0 when unknown
     */
    public ParallelPager(IntFunction<List<T>> fetchAtOffset, int pageSize, int parallel, int startPage,
                         int expectedPages, ExecutorService executor) {
        if (pageSize < 1 || parallel < 1) {
            throw new IllegalArgumentException("page size and parallel pages must be at least 1");
        }
        this.fetchAtOffset = fetchAtOffset;
        this.pageSize = pageSize;
        this.parallel = parallel;
        this.expectedPages = expectedPages;
        this.executor = executor;
        this.nextToRequest = startPage;
        this.nextToHand = startPage;
    }

    @Override
    public synchronized boolean hasNext() {
        return !done;
    }

    @Override
    public synchronized Page<T> next() {
        if (done) {
            throw new NoSuchElementException();
        }
        requestAhead();
        int index = nextToHand;
        List<T> records;
        try {
            records = inFlight.remove(index).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while waiting for page " + index, e);
        } catch (ExecutionException e) {
            inFlight.values().removeIf(ParallelPager::failed);
            throw e.getCause() instanceof RuntimeException r ? r
                    : new IllegalStateException("page " + index + " failed", e.getCause());
        }
        nextToHand++;
        if (records.size() < pageSize) {
            close();
        } else {
            requestAhead();
        }
        return new Page<>(index, records);
    }

    private void requestAhead() {
        // pages that failed are asked for again first, in offset order
        for (int index = nextToHand; !done && index < nextToRequest; index++) {
            if (!inFlight.containsKey(index) && index <= lastPage.get()) {
                request(index);
            }
        }
        while (!done && inFlight.size() < parallel && mayRequest(nextToRequest)) {
            request(nextToRequest);
            nextToRequest++;
        }
    }

    private void request(int index) {
        int offset = Math.multiplyExact(index, pageSize);
        inFlight.put(index, executor.submit(() -> {
            List<T> records = fetchAtOffset.apply(offset);
            if (records.size() < pageSize) {
                lastPage.accumulateAndGet(index, Math::min);
            }
            return records;
        }));
    }

    private static boolean failed(Future<?> page) {
        if (!page.isDone() || page.isCancelled()) {
            return false;
        }
        try {
            page.get();
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Not past a page known to be the last; within the expected size, or past it once the expected last page came back full (the set grew). */
    private boolean mayRequest(int index) {
        if (index > lastPage.get()) {
            return false;
        }
        return expectedPages <= 0 || index < expectedPages || nextToHand >= expectedPages;
    }

    /** Stops: requests still in flight (past the end, or after a failure) are abandoned. */
    @Override
    public synchronized void close() {
        done = true;
        List<Future<List<T>>> abandoned = new ArrayList<>(inFlight.values());
        inFlight.clear();
        for (Future<List<T>> f : abandoned) {
            f.cancel(false);
        }
    }

    /** Requests issued so far (tests and the progress log). */
    public synchronized int requested() {
        return nextToRequest;
    }
}
