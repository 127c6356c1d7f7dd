package io.github.attiocamel.store;

/**
 * This process no longer holds a piece of work: another one adopted it after this one's heartbeat went stale. The
 * work must stop here without touching the work's state, which is the new holder's now.
 */
public class WorkLostException extends RuntimeException {
    public WorkLostException(String workId) {
        super("work " + workId + " is held by another process now");
    }
}
