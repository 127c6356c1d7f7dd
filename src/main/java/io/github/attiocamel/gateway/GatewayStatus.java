package io.github.attiocamel.gateway;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Bean {@code attioGatewayStatus}: the gateway's side of {@code GET /api/operations}, the circuit breaker's state and
 * the rate budgets in use, as the wire guard counts them (requests in flight plus answers of the last second, this
 * process's; in workspace scope other processes draw on the same Attio budget too).
 */
final class GatewayStatus {

    private final Supplier<AttioGateway> gateway;
    private final WireBudget budget;
    private final int readsPerSecond;
    private final int writesPerSecond;

    GatewayStatus(Supplier<AttioGateway> gateway, WireBudget budget, int readsPerSecond, int writesPerSecond) {
        this.gateway = gateway;
        this.budget = budget;
        this.readsPerSecond = readsPerSecond;
        this.writesPerSecond = writesPerSecond;
    }

    /** A copy of {@code view} with the gateway's status added under {@code attio}. */
    public Map<String, Object> with(Map<String, Object> view) {
        Map<String, Object> attio = new LinkedHashMap<>();
        attio.put("breaker", gateway.get().circuitBreakerState());
        attio.put("reads", budget(budget.readsInUse(), readsPerSecond));
        attio.put("writes", budget(budget.writesInUse(), writesPerSecond));
        Map<String, Object> result = new LinkedHashMap<>(view);
        result.put("attio", attio);
        return result;
    }

    private static Map<String, Object> budget(int inUse, int perSecond) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("in_use", inUse);
        b.put("per_second", perSecond);
        return b;
    }
}
