# syntax=docker/dockerfile:1
# Attio Camel bundle. Build: docker build -t attio-camel .
# Run:   docker run -p 8080:8080 -p 9876:9876 -e ATTIO_API_KEY=... -e ATTIO_WEBHOOK_SECRET=... \
#          -e BUNDLE_API_TOKEN=... -v attio-data:/app/data attio-camel
# Secrets come from the environment only: nothing secret is baked into the image or read from /app/config.
# Several replicas on one PostgreSQL (compose demo with the simulated Attio, Kubernetes): deploy/, docs/SCALING.md.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# Dependencies first, in their own layer, so editing a route does not download the world again.
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
COPY routes ./routes
COPY config ./config
COPY scripts/cds-archive.sh ./scripts/cds-archive.sh
# Only the runnable jar: bundle.skip leaves out the two Karaf bundles package would also build (the self-contained
# one embeds every dependency again), artifacts the image never holds. No tests here: the suite needs
# PostgreSQL and free ports a build container lacks, and it has already run on this commit (.ci/run, mvn verify);
# an image is built from a tested commit, not tested by being built.
RUN mvn -B -q package -DskipTests -Dbundle.skip=true

FROM eclipse-temurin:17-jre
# curl for the HEALTHCHECK only.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 attio \
    && useradd --system --uid 10001 --gid attio --home-dir /app --shell /usr/sbin/nologin attio \
    && mkdir -p /app/routes /app/config /app/data \
    && chown -R attio:attio /app
WORKDIR /app
COPY --from=build --chown=attio:attio /build/target/attio-camel.jar /app/attio-camel.jar
# The packed routes and config are the defaults; copies here show what can be overridden.
COPY --from=build --chown=attio:attio /build/routes/ /app/routes-default/
COPY --from=build --chown=attio:attio /build/config/ /app/config-default/
COPY --from=build --chown=attio:attio /build/scripts/cds-archive.sh /app/cds-archive.sh

# Numeric, so Kubernetes can verify runAsNonRoot without looking the name up (deploy/kubernetes runs as 10001 too).
USER 10001:10001
# ROUTES_DIR is left unset: the routes packed in the jar run; mount a directory and set ROUTES_DIR=/app/routes to add
# route files beside them (a file named like a packed one replaces it). Files in /app/config override the packed
# configuration key by key. The embedded H2 store lives in /app/data: keep it on a volume.
# JVM defaults: the heap follows the container's memory limit (75%, the JVM's own default is 25%; the rest is for
# metaspace, GC, code and threads, about 200 MB measured, so give a container 1 GiB: docs/SCALING.md), and an
# OutOfMemoryError ends the process so the orchestrator restarts it instead of leaving a JVM that half works.
# Override JAVA_TOOL_OPTIONS to change them.
ENV ATTIO_PROFILE=production \
    CONFIG_DIR=/app/config \
    ATTIO_DATA_DIR=/app/data \
    HTTP_PORT=8080 \
    MANAGEMENT_PORT=9876 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
# A class-data-sharing archive of the classes a start loads, written by a training start in sandbox mode (no Attio,
# no secrets; under this image's JVM, jar and JAVA_TOOL_OPTIONS, as the archive requires): the container then starts
# in about two thirds of the time (docs/PERFORMANCE.md). Should it ever not match, the JVM ignores it with a warning.
# MaxRAM as a container's: a build host with more memory would give the training JVM a heap beyond 32 GB, without
# compressed oops, and the archive would then not match any ordinary container.
RUN JAVA_TOOL_OPTIONS="$JAVA_TOOL_OPTIONS -XX:MaxRAM=1g" ATTIO_PROFILE=development ATTIO_DATA_DIR=/tmp/attio-cds \
    /app/cds-archive.sh /app/attio-camel.jar /app/attio-camel.jsa
VOLUME ["/app/routes", "/app/config", "/app/data"]
EXPOSE 8080 9876

# Liveness, not readiness: /observe/health/live is the JVM and Camel's own routes and consumers, so only a bundle that
# needs a restart is unhealthy. /observe/health/ready (and /observe/health, all checks) also holds Attio's
# reachability and the workspace schema: an Attio outage would mark every container unhealthy at once, and
# restarting them cures nothing. Use ready to decide whether to send traffic (Kubernetes readinessProbe).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${MANAGEMENT_PORT}/observe/health/live" > /dev/null || exit 1

# exec form: the JVM is PID 1 and receives SIGTERM, so Camel shuts down cleanly (exit 143).
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/attio-camel.jsa", "-jar", "/app/attio-camel.jar"]
