package io.github.attiocamel;

/** Entry point; see README. */
public final class Application {
    private Application() {}

    public static void main(String[] args) throws Exception {
        throw new UnsupportedOperationException("not built yet");
    }
}
