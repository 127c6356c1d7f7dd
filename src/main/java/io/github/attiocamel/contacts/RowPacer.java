package io.github.attiocamel.contacts;

import java.util.concurrent.locks.LockSupport;

/**
 * Bean {@code contactRowPacer}: starts batch rows one per interval, on a fixed schedule of absolute time slots.
 * Camel's Throttler measures its period from each permit's actual acquisition, so on a busy host every late wake-up
 * shifts all later permits and the rate sinks well below the budget (docs/PERFORMANCE.md); here a late row does not
 * delay the next slot, and an idle pacer does not bank slots for a burst later. Rows that fell behind
 * (a stalled host) still leave at least 95% of an interval apart, so catching up never bunches them into a burst.
 */
public final class RowPacer {

    private final long intervalNanos;
    private final long minGapNanos;
    private long nextSlot;
    private final Object departures = new Object();
    private long lastDeparture;

    public RowPacer(long intervalMillis) {
        this.intervalNanos = Math.max(0, intervalMillis) * 1_000_000L;
        this.minGapNanos = intervalNanos / 20 * 19;
        this.nextSlot = System.nanoTime();
        this.lastDeparture = nextSlot - intervalNanos;
    }

    /** Blocks the calling row's thread until its slot. */
    public void pace() {
        if (intervalNanos == 0) {
            return;
        }
        long slot;
        synchronized (this) {
            slot = Math.max(nextSlot, System.nanoTime());
            nextSlot = slot + intervalNanos;
        }
        parkUntil(slot);
        synchronized (departures) {
            parkUntil(lastDeparture + minGapNanos);
            lastDeparture = System.nanoTime();
        }
    }

    private static void parkUntil(long deadline) {
        long wait;
        while ((wait = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }
}
