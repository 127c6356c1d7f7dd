package io.github.attiocamel.api;

import org.apache.camel.Endpoint;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.spi.EndpointStrategy;

import java.util.Set;

/**
 * Sets {@code useStreaming} on the platform-http endpoint of the listed paths ({@code attio.api.streamed-paths}) when
 * the REST DSL creates it. A REST verb cannot set a platform-http endpoint option of its own in Camel 4.18 (only
 * {@code camel.rest.endpoint-property.*}, which applies to every verb), and streaming every verb would hand each
 * JSON body to the binding unbounded, since a streamed body bypasses the server's body limit. The upload's own
 * limit is checked as declared by {@link BodyGate} and as spooled by the route ({@code contactJobs.acceptUpload}, 413
 * above {@code attio.api.max-upload-bytes}).
 */
final class StreamedUploads implements EndpointStrategy {

    private final Set<String> paths;

    StreamedUploads(Set<String> paths) {
        this.paths = paths;
    }

    @Override
    public Endpoint registerEndpoint(String uri, Endpoint endpoint) {
        if (endpoint instanceof PlatformHttpEndpoint http && paths.contains(absolute(http.getPath()))) {
            http.setUseStreaming(true);
        }
        return endpoint;
    }

    static String absolute(String path) {
        return path == null || path.startsWith("/") ? path : "/" + path;
    }
}
