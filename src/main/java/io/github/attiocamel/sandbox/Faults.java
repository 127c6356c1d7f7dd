package io.github.attiocamel.sandbox;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The simulator's active fault rules. */
public final class Faults {

    private final List<FaultRule> rules = new CopyOnWriteArrayList<>();

    /** Adds a rule after the existing ones and returns it (to read {@link FaultRule#fired()} later). */
    public FaultRule add(FaultRule rule) {
        rules.add(rule);
        return rule;
    }

    /** Removes every rule. */
    public void clear() {
        rules.clear();
    }

    FaultRule match(RecordedRequest request) {
        for (FaultRule rule : rules) {
            if (rule.tryFire(request)) {
                return rule;
            }
        }
        return null;
    }
}
