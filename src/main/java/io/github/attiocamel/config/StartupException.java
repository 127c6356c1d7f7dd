package io.github.attiocamel.config;

/**
 * A start-up refusal an operator can act on. The message is the single line printed before the JVM exits non-zero,
 * so it names the setting and its environment variable and never carries a secret.
 */
public final class StartupException extends RuntimeException {

    public StartupException(String oneLine) {
        super(oneLine);
    }
}
