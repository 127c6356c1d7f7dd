package io.github.attiocamel.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.sql.SQLException;

/**
 * A test class that runs on H2 and again in the PostgreSQL half (tag {@value TestStores#BOTH}, the Surefire execution
 * postgresql): there the whole class is skipped when the test PostgreSQL is unreachable (one line said so), or fails
 * when it is required ({@link TestPostgres}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(TestStores.BOTH)
@ExtendWith(BothStores.PostgresReachable.class)
public @interface BothStores {

    /** Skips (or, when required, fails) a class of the PostgreSQL half before any of it runs. */
    final class PostgresReachable implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (!TestStores.postgresql()) {
                return ConditionEvaluationResult.enabled("H2 half");
            }
            try {
                TestPostgres.requireReachable();
                return ConditionEvaluationResult.enabled("PostgreSQL reachable");
            } catch (SQLException e) {
                throw new IllegalStateException(e.getMessage(), e);
            } catch (org.opentest4j.TestAbortedException e) {
                return ConditionEvaluationResult.disabled(e.getMessage());
            }
        }
    }
}
