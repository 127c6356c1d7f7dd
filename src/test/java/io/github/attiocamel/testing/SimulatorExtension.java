package io.github.attiocamel.testing;

import io.github.attiocamel.sandbox.AttioSimulator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.List;

/**
 * One Attio simulator per test class, on a random port. Use it as a field:
 * <pre>{@code @RegisterExtension static final SimulatorExtension ATTIO = new SimulatorExtension();}</pre>
 * ({@link #simulator()}, {@link #baseUrl()}, {@link #apiKey()}) or as {@code @ExtendWith} with an
 * {@link AttioSimulator} test or constructor parameter.
 *
 * <p>After each test it FAILS the test if the simulator recorded OpenAPI violations the test did not clear
 * ({@link AttioSimulator#clearViolations()}): that is how the suite proves every request we send conforms to
 * Attio's contract, and every answer the simulator gives keeps it too. A test that provokes a violation on purpose
 * asserts it and clears it. Before each test, faults,
 * latency, the request log and rate limits (back to Attio's 100/25) are reset; data persists across the class.
 */
public final class SimulatorExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SimulatorExtension.class);
    private volatile AttioSimulator simulator;
    private final boolean checkAnswers;

    public SimulatorExtension() {
        this(true);
    }

    private SimulatorExtension(boolean checkAnswers) {
        this.checkAnswers = checkAnswers;
    }

    /** For benchmarks: the simulator's answers go unchecked, so the check's CPU is not measured with the bundle. */
    public static SimulatorExtension forBenchmarks() {
        return new SimulatorExtension(false);
    }

    public AttioSimulator simulator() {
        if (simulator == null) {
            throw new IllegalStateException("the simulator starts before all tests of the class; it is not running now");
        }
        return simulator;
    }

    public String baseUrl() {
        return simulator().baseUrl();
    }

    public String apiKey() {
        return simulator().apiKey();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        simulator = AttioSimulator.start(0);
        simulator.setCheckAnswers(checkAnswers);
        context.getStore(NAMESPACE).put(AttioSimulator.class, simulator);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        context.getStore(NAMESPACE).remove(AttioSimulator.class);
        if (simulator != null) {
            simulator.close();
            simulator = null;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        AttioSimulator sim = simulator();
        sim.faults().clear();
        sim.setLatency(null);
        sim.setRateLimits(100, 25);
        sim.clearRequests();
        sim.clearViolations();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        assertNoViolations(simulator(), context.getDisplayName());
    }

    /** Fails (and clears them, so the next test starts clean) when the simulator holds OpenAPI violations. */
    public static void assertNoViolations(AttioSimulator simulator, String where) {
        List<String> violations = simulator.violations();
        simulator.clearViolations();
        if (!violations.isEmpty()) {
            throw new AssertionError(violations.size() + " request(s) violated Attio's OpenAPI document in "
                    + where + ":\n  " + String.join("\n  ", violations));
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == AttioSimulator.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return simulator();
    }
}
