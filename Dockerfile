# syntax=docker/dockerfile:1
# Attio Camel bundle. Build: docker build -t attio-camel .
# Run:   docker run -p 8080:8080 -p 9876:9876 -e ATTIO_API_KEY=... -e ATTIO_WEBHOOK_SECRET=... \
#          -e BUNDLE_API_TOKEN=... -v attio-data:/app/data attio-camel
# Secrets come from the environment only: nothing secret is baked into the image or read from /app/config.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# Dependencies first, in their own layer, so editing a route does not download the world again.
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
COPY routes ./routes
COPY config ./config
RUN mvn -B -q package -DskipTests

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

USER attio
# ROUTES_DIR is left unset: the routes packed in the jar run unless you mount your own directory and set
# ROUTES_DIR=/app/routes (it replaces the packed routes as a whole). Files in /app/config override the packed
# configuration key by key. The embedded H2 store lives in /app/data: keep it on a volume.
ENV ATTIO_PROFILE=production \
    CONFIG_DIR=/app/config \
    ATTIO_DATA_DIR=/app/data \
    HTTP_PORT=8080 \
    MANAGEMENT_PORT=9876 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
VOLUME ["/app/routes", "/app/config", "/app/data"]
EXPOSE 8080 9876

# Readiness includes Attio reachability: an Attio outage turns the container unhealthy (not restarted by Docker
# itself, but visible to orchestrators and operators).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${MANAGEMENT_PORT}/observe/health" > /dev/null || exit 1

# exec form: the JVM is PID 1 and receives SIGTERM, so Camel shuts down cleanly (exit 143).
ENTRYPOINT ["java", "-jar", "/app/attio-camel.jar"]
