package io.github.attiocamel.contacts;

import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The drop directory's file filter: only a regular file that lies inside the directory itself is imported. A
 * symlink, a device or a pipe could hand a job any file of the host (and its first line to GET /api/jobs), so it
 * is skipped where it lies, with one log line per name.
 */
final class DropFileFilter implements GenericFileFilter<File> {

    private static final Logger LOG = LoggerFactory.getLogger(DropFileFilter.class);
    private static final int MAX_REMEMBERED = 1000;

    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    @Override
    public boolean accept(GenericFile<File> file) {
        if (file.isDirectory()) {
            return false;
        }
        Path path = file.getFile().toPath();
        String refusal = refusal(path, Path.of(file.getEndpointPath()));
        if (refusal == null) {
            reported.remove(path.toString());
            return true;
        }
        if (reported.size() >= MAX_REMEMBERED) {
            reported.clear();
        }
        if (reported.add(path.toString())) {
            LOG.warn("[attio-contacts] skipped {} in the drop directory: {}", file.getFileName(), refusal);
        }
        return false;
    }

    /** Why this path is not imported, or null when it is a regular file directly inside the directory. */
    static String refusal(Path path, Path directory) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                return "a symbolic link, not a regular file";
            }
            if (!attributes.isRegularFile()) {
                return "not a regular file";
            }
            Path parent = path.toAbsolutePath().getParent();
            if (parent == null || !parent.toRealPath().equals(directory.toAbsolutePath().toRealPath())) {
                return "not inside the drop directory";
            }
            return null;
        } catch (IOException e) {
            return "unreadable (" + e.getClass().getSimpleName() + ")";
        }
    }
}
