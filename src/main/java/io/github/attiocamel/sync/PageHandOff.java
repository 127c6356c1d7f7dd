package io.github.attiocamel.sync;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The wire tap's preparation of a run's next page exchange (bean {@code syncPageHandOff}): it starts with the run as
 * its body and nothing else, since the properties of the exchange it was copied from (a route policy keeps one per
 * exchange) would otherwise be copied on, page after page, into every change message split off the page.
 */
public final class PageHandOff implements Processor {

    @Override
    public void process(Exchange exchange) {
        exchange.removeProperties("*");
        exchange.removeVariable("*");
    }
}
