package io.github.attiocamel.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.attiocamel.gateway.AttioException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParallelPagerTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** A result set of {@code total} numbered rows served at any offset. */
    private static IntFunction<List<JsonNode>> rows(int total, int pageSize, IntFunction<Void> beforeAnswer) {
        return offset -> {
            beforeAnswer.apply(offset);
            List<JsonNode> page = new ArrayList<>();
            for (int i = offset; i < Math.min(total, offset + pageSize); i++) {
                page.add(JsonNodeFactory.instance.numberNode(i));
            }
            return page;
        };
    }

    private static List<Integer> drain(ParallelPager<JsonNode> pager) {
        List<Integer> seen = new ArrayList<>();
        int expectedIndex = -1;
        while (pager.hasNext()) {
            ParallelPager.Page<JsonNode> page = pager.next();
            assertThat(page.index()).isGreaterThan(expectedIndex);
            expectedIndex = page.index();
            page.records().forEach(n -> seen.add(n.intValue()));
        }
        return seen;
    }

    @Test
    void pagesArrivingInReverseOrderAreHandedOutInOffsetOrderWithNothingLostOrRepeated() {
        // later offsets answer first: page k waits until every page after it (within the window) has answered
        int pageSize = 10;
        CountDownLatch[] answered = new CountDownLatch[30];
        for (int i = 0; i < answered.length; i++) {
            answered[i] = new CountDownLatch(1);
        }
        IntFunction<Void> reverse = offset -> {
            int page = offset / pageSize;
            int lastInWindow = Math.min(page / 4 * 4 + 3, 23);
            try {
                for (int later = page + 1; later <= lastInWindow; later++) {
                    answered[later].await(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answered[page].countDown();
            return null;
        };
        ParallelPager<JsonNode> pager = new ParallelPager<>(rows(235, pageSize, reverse), pageSize, 4, 0, 0, pool);

        List<Integer> seen = drain(pager);

        assertThat(seen).hasSize(235).doesNotHaveDuplicates().isSorted();
    }

    @Test
    void stopsAtTheFirstShortPageWithAtMostAWindowOfReadsPastIt() {
        AtomicInteger requests = new AtomicInteger();
        ParallelPager<JsonNode> pager = new ParallelPager<>(rows(2345, 500, o -> { requests.incrementAndGet(); return null; }),
                500, 8, 0, 0, pool);

        assertThat(drain(pager)).hasSize(2345);
        // without a size hint, reads past the end are bounded by the window: the last page (index 4) plus 8 - 1
        assertThat(requests.get()).isLessThanOrEqualTo(4 + 8);
    }

    @Test
    void aKnownSizeCostsNoSpeculativeReadsAndGrowthIsStillFollowed() {
        Set<Integer> offsets = ConcurrentHashMap.newKeySet();
        ParallelPager<JsonNode> exact = new ParallelPager<>(rows(2345, 500, o -> { offsets.add(o); return null; }), 500, 8, 0, 5, pool);
        assertThat(drain(exact)).hasSize(2345);
        assertThat(offsets).containsExactlyInAnyOrder(0, 500, 1000, 1500, 2000);

        ParallelPager<JsonNode> grown = new ParallelPager<>(rows(4100, 500, o -> null), 500, 8, 0, 5, pool);
        assertThat(drain(grown)).hasSize(4100);
    }

    @Test
    void aResumedPagerStartsAtItsFirstPageNotDone() {
        Set<Integer> offsets = ConcurrentHashMap.newKeySet();
        ParallelPager<JsonNode> pager = new ParallelPager<>(rows(2345, 500, o -> { offsets.add(o); return null; }), 500, 8, 2, 5, pool);
        List<Integer> seen = drain(pager);
        assertThat(seen).hasSize(1345).startsWith(1000);
        assertThat(offsets).doesNotContain(0, 500);
    }

    @Test
    void aFailedPageFailsThatCallAndIsAskedForAgainOnTheNext() {
        Set<Integer> failOnce = ConcurrentHashMap.newKeySet();
        failOnce.add(1000);
        AtomicInteger asked = new AtomicInteger();
        ParallelPager<JsonNode> pager = new ParallelPager<>(rows(2345, 500, o -> {
            asked.incrementAndGet();
            if (failOnce.remove(o)) {
                throw new AttioException(503, "api_error", "attio_unavailable", "page 3 failed");
            }
            return null;
        }), 500, 8, 0, 5, pool);
        assertThat(pager.next().index()).isZero();
        assertThat(pager.next().index()).isEqualTo(1);
        assertThatThrownBy(pager::next).isInstanceOf(AttioException.class).hasMessageContaining("page 3");
        assertThat(pager.hasNext()).as("the caller may try again").isTrue();
        assertThat(pager.next().index()).isEqualTo(2);
        assertThat(pager.next().index()).isEqualTo(3);
        assertThat(pager.next().index()).isEqualTo(4);
        assertThat(pager.hasNext()).isFalse();
        assertThat(asked).as("only the failed page was read again").hasValue(6);
    }
}
