package io.github.attiocamel.webhook;

import io.github.attiocamel.config.MessageContract;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The split of a delivery's events aggregates into the list of events that failed, with their errors, so one bad
 * event neither stops its siblings nor gets them processed twice: the inbox retries or dead-letters exactly the
 * failed ones. Each split step sets the event in variable {@value MessageContract#EVENT} before handing it on.
 */
final class EventFailureCollector implements AggregationStrategy {

    /** One event that failed, and why. */
    public record EventFailure(Map<String, Object> event, Throwable error) {}

    /** The split's result: never null, empty when every event went through. */
    public static final class Failures {
        private final List<EventFailure> list = new ArrayList<>();

        public List<EventFailure> list() {
            return list;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Exchange result = oldExchange == null ? newExchange : oldExchange;
        Failures failures = oldExchange == null ? new Failures() : oldExchange.getMessage().getBody(Failures.class);
        Throwable error = newExchange.getException();
        if (error != null) {
            failures.list().add(new EventFailure(newExchange.getVariable(MessageContract.EVENT, Map.class), error));
            // recorded: the delivery route decides what happens to it, the split must not fail the whole delivery
            newExchange.setException(null);
        }
        result.getMessage().setBody(failures);
        return result;
    }
}
