package io.github.attiocamel.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * Attio's offset paging as a lazy iterator: each page is fetched when asked for, with {@code limit} and
 * {@code offset} in the JSON body (Attio ignores them in the query string), and the iteration ends on a short page.
 * A route can {@code split} it with {@code streaming} in constant memory.
 */
final class OffsetPager implements Iterator<List<JsonNode>> {

    private final Function<ObjectNode, List<JsonNode>> fetch;
    private final ObjectNode query;
    private final int pageSize;
    private int offset;
    private boolean finished;
    private List<JsonNode> next;

    /** query holds filter and sorts; it is copied, never modified. */
    OffsetPager(Function<ObjectNode, List<JsonNode>> fetch, ObjectNode query, int pageSize) {
        if (pageSize < 1 || pageSize > 500) {
            throw new IllegalArgumentException("pageSize must be 1..500 (Attio's documented maximum), was " + pageSize);
        }
        this.fetch = fetch;
        this.query = query.deepCopy();
        this.pageSize = pageSize;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !finished) {
            ObjectNode page = query.deepCopy();
            page.put("limit", pageSize);
            page.put("offset", offset);
            List<JsonNode> rows = fetch.apply(page);
            offset += rows.size();
            finished = rows.size() < pageSize;
            next = rows.isEmpty() ? null : rows;
        }
        return next != null;
    }

    @Override
    public List<JsonNode> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        List<JsonNode> page = next;
        next = null;
        return page;
    }
}
