package io.github.attiocamel.testing;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything at INFO (ours at DEBUG, including the loggers the test profile quietens) into a writer, while the
 * console keeps the test profile's levels.
 */
public final class LogCapture implements AutoCloseable {

    private final LoggerContext context;
    private final Appender appender;
    private final Level rootLevel;
    private final Map<LoggerConfig, Level> ourLevels;
    private final StringWriter writer;

    private LogCapture(LoggerContext context, Appender appender, Level rootLevel,
                       Map<LoggerConfig, Level> ourLevels, StringWriter writer) {
        this.context = context;
        this.appender = appender;
        this.rootLevel = rootLevel;
        this.ourLevels = ourLevels;
        this.writer = writer;
    }

    public static LogCapture into(StringWriter writer) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        Appender appender = WriterAppender.newBuilder().setName("capture-" + System.identityHashCode(writer))
                .setTarget(writer).setLayout(PatternLayout.newBuilder().withPattern("%c %m%n").build()).build();
        appender.start();
        LoggerConfig root = config.getRootLogger();
        Map<LoggerConfig, Level> ours = new LinkedHashMap<>();
        config.getLoggers().forEach((name, logger) -> {
            if (name.startsWith("io.github.attiocamel")) {
                ours.put(logger, logger.getLevel());
            }
        });
        LogCapture capture = new LogCapture(context, appender, root.getLevel(), ours, writer);
        root.removeAppender("console");
        root.addAppender(config.getAppender("console"), Level.WARN, null);
        root.addAppender(appender, null, null);
        root.setLevel(Level.INFO);
        ours.keySet().forEach(logger -> logger.setLevel(Level.DEBUG));
        context.updateLoggers();
        return capture;
    }

    /** What was logged so far. */
    public String text() {
        synchronized (writer) {
            return writer.toString();
        }
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        config.getRootLogger().removeAppender(appender.getName());
        config.getRootLogger().setLevel(rootLevel);
        ourLevels.forEach(LoggerConfig::setLevel);
        context.updateLoggers();
        appender.stop();
    }
}
