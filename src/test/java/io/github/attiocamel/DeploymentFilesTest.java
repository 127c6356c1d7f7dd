package io.github.attiocamel;

import io.github.attiocamel.testing.SourceFiles;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment files agree with the bundle, since neither Docker nor Kubernetes runs in this build: the compose
 * demo and the manifests set only variables the bundle reads, probe the endpoints and ports it serves, take secrets
 * from the environment file or a Secret only, and keep the replicas on one shared workspace budget; the image
 * runs as a numeric user, checks liveness, and its build context leaves out build output and local settings. Each
 * check is a function returning the problems it finds, shown to find them on a broken copy.
 */
class DeploymentFilesTest {

    private static final Path COMPOSE = Path.of("deploy/docker-compose.yml");
    private static final Path ENV_EXAMPLE = Path.of("deploy/.env.example");
    private static final Path KUBERNETES = Path.of("deploy/kubernetes");
    private static final Path DOCKERFILE = Path.of("Dockerfile");
    private static final Path DOCKERIGNORE = Path.of(".dockerignore");
    private static final Path PROPERTIES = Path.of("config/application.properties");

    /** Attio's limits per workspace, shared by every replica (ATTIO-API.md). */
    private static final int WORKSPACE_READS = 100;
    private static final int WORKSPACE_WRITES = 25;
    private static final Set<String> SECRETS = Set.of("ATTIO_API_KEY", "ATTIO_WEBHOOK_SECRET",
            "ATTIO_WEBHOOK_SECRET_PREVIOUS", "BUNDLE_API_TOKEN", "ATTIO_STORE_USER", "ATTIO_STORE_PASSWORD",
            "POSTGRES_USER", "POSTGRES_PASSWORD", "SIMULATOR_API_KEY", "SIMULATOR_WEBHOOK_SECRET");
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(:?[?-][^}]*)?}");
    private static final String LIVE = "/observe/health/live";
    private static final String READY = "/observe/health/ready";

    // ------------------------------------------------------------------ docker-compose

    @Test
    void theComposeDemoRunsPostgresTheSimulatorAndTwoReplicasAsTheBundleReadsThem() {
        assertThat(composeProblems(yaml(COMPOSE))).isEmpty();
    }

    @Test
    void theEnvExampleDefinesExactlyWhatTheComposeFileInterpolatesAndTheRealOneIsIgnored() throws IOException {
        Set<String> interpolated = new TreeSet<>();
        Matcher m = INTERPOLATION.matcher(Files.readString(COMPOSE));
        while (m.find()) {
            interpolated.add(m.group(1));
        }
        Properties example = new Properties();
        try (Reader in = Files.newBufferedReader(ENV_EXAMPLE)) {
            example.load(in);
        }
        assertThat(new TreeSet<>(example.stringPropertyNames())).isEqualTo(interpolated);
        assertThat(example.values()).as("obviously fake values").allSatisfy(v ->
                assertThat(v.toString()).containsAnyOf("demo", "not-a-real", "change-me"));
        assertThat(Files.readAllLines(Path.of(".gitignore"))).containsAnyOf(".env", "deploy/.env");
    }

    @Test
    void composeProblemsAreFound() {
        Map<String, Object> oneReplica = yaml(COMPOSE);
        map(oneReplica, "services").remove("bundle-2");
        assertThat(composeProblems(oneReplica)).containsExactly("no service bundle-2");

        // the replicas share one environment, healthcheck and depends_on (the YAML merge key): both are broken
        Map<String, Object> broken = yaml(COMPOSE);
        Map<String, Object> services = map(broken, "services");
        Map<String, Object> replica = map(services, "bundle-1");
        map(replica, "environment").put("ATTIO_API_KEY", "a-real-looking-key");
        map(replica, "environment").put("ATTIO_STORE_JDBCURL", "jdbc:postgresql://postgres:5432/attio");
        map(replica, "environment").put("ATTIO_BUDGET_SCOPE", "process");
        map(replica, "healthcheck").put("test", List.of("CMD", "curl", "-f", "http://127.0.0.1:9876/observe/health"));
        map(replica, "depends_on").remove("postgres");
        map(services, "simulator").put("ports", List.of("8081:8089"));
        replica.remove("stop_grace_period");

        assertThat(composeProblems(broken)).anyMatch(p -> p.contains("ATTIO_API_KEY") && p.contains("literal"))
                .anyMatch(p -> p.contains("ATTIO_STORE_JDBCURL") && p.contains("no setting"))
                .anyMatch(p -> p.contains("attio.budget.scope process"))
                .anyMatch(p -> p.contains("healthcheck"))
                .anyMatch(p -> p.contains("depends_on postgres"))
                .anyMatch(p -> p.contains("host port 8081"))
                .anyMatch(p -> p.contains("stop_grace_period"));
    }

    static List<String> composeProblems(Map<String, Object> compose) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> services = map(compose, "services");
        for (String name : List.of("postgres", "simulator", "bundle-1", "bundle-2")) {
            if (!services.containsKey(name)) {
                problems.add("no service " + name);
            }
        }
        if (!services.containsKey("postgres") || !services.containsKey("simulator")) {
            return problems;
        }
        Map<String, Object> postgres = map(services, "postgres");
        if (!String.valueOf(postgres.get("image")).startsWith("postgres:15")) {
            problems.add("postgres: image " + postgres.get("image") + ", not postgres:15");
        }
        if (!command(map(postgres, "healthcheck").get("test")).contains("pg_isready")) {
            problems.add("postgres: healthcheck is not pg_isready");
        }
        String database = String.valueOf(map(postgres, "environment").get("POSTGRES_DB"));

        Map<String, Object> simulator = map(services, "simulator");
        Map<String, Object> simulatorEnv = map(simulator, "environment");
        if (!command(simulator.get("command")).equals("--simulator")) {
            problems.add("simulator: command is not --simulator");
        }
        Set<String> simulatorReads = simulatorEnvironment();
        simulatorEnv.keySet().stream().filter(k -> !simulatorReads.contains(k))
                .forEach(k -> problems.add("simulator: " + k + " is no setting of SimulatorMain"));
        String simulatorUrl = "http://simulator:" + simulatorEnv.get("SIMULATOR_PORT");

        Set<String> bundleReads = bundleEnvironment();
        Set<String> hostPorts = new LinkedHashSet<>();
        Set<String> dataVolumes = new LinkedHashSet<>();
        for (Map.Entry<String, Object> service : services.entrySet()) {
            Map<String, Object> definition = asMap(service.getValue());
            for (Object port : list(definition.get("ports"))) {
                String host = String.valueOf(port).split(":")[0];
                if (!hostPorts.add(host)) {
                    problems.add(service.getKey() + ": host port " + host + " is taken by another service");
                }
            }
            for (Map.Entry<String, Object> env : map(definition, "environment").entrySet()) {
                String value = String.valueOf(env.getValue());
                if (SECRETS.contains(env.getKey()) && !INTERPOLATION.matcher(value).matches()) {
                    problems.add(service.getKey() + ": " + env.getKey() + " is a literal, not ${...} from deploy/.env");
                }
            }
            if (!service.getKey().startsWith("bundle-")) {
                continue;
            }
            String replica = service.getKey();
            Map<String, Object> env = map(definition, "environment");
            env.keySet().stream().filter(k -> !bundleReads.contains(k))
                    .forEach(k -> problems.add(replica + ": " + k + " is no setting the bundle reads"));
            if (!simulatorUrl.equals(env.get("ATTIO_BASE_URL"))) {
                problems.add(replica + ": ATTIO_BASE_URL " + env.get("ATTIO_BASE_URL") + " is not " + simulatorUrl);
            }
            if (!String.valueOf(env.get("ATTIO_STORE_JDBC_URL")).equals("jdbc:postgresql://postgres:5432/" + database)) {
                problems.add(replica + ": ATTIO_STORE_JDBC_URL is not the postgres service's database " + database);
            }
            if (!env.get("ATTIO_API_KEY").equals(simulatorEnv.get("SIMULATOR_API_KEY"))
                    || !env.get("ATTIO_WEBHOOK_SECRET").equals(simulatorEnv.get("SIMULATOR_WEBHOOK_SECRET"))) {
                problems.add(replica + ": key or webhook secret differ from the simulator's");
            }
            String live = "http://127.0.0.1:" + setting(env, "MANAGEMENT_PORT", "attio.management-port") + LIVE;
            if (!command(map(definition, "healthcheck").get("test")).contains(live)) {
                problems.add(replica + ": healthcheck does not ask " + live);
            }
            Map<String, Object> dependsOn = map(definition, "depends_on");
            for (String needed : List.of("postgres", "simulator")) {
                if (!"service_healthy".equals(map(dependsOn, needed).get("condition"))) {
                    problems.add(replica + ": no depends_on " + needed + " with condition service_healthy");
                }
            }
            for (Object volume : list(definition.get("volumes"))) {
                if (String.valueOf(volume).endsWith(":/app/data") && !dataVolumes.add(String.valueOf(volume))) {
                    problems.add(replica + ": shares its data volume " + volume);
                }
            }
            String grace = String.valueOf(definition.get("stop_grace_period"));
            if (!grace.matches("\\d+s") || Integer.parseInt(grace.replace("s", "")) <= shutdownTimeout()) {
                problems.add(replica + ": stop_grace_period " + grace + " does not outlast camel.main.shutdown-timeout");
            }
            problems.addAll(budgetProblems(replica, env));
        }
        return problems;
    }

    /**
     * Replicas on one PostgreSQL store share the workspace's budget (attio.budget.scope auto or workspace), so each may
     * be given all of it but none more, and none may keep a budget of its own (process scope would multiply it).
     */
    private static List<String> budgetProblems(String who, Map<String, ?> env) {
        List<String> problems = new ArrayList<>();
        String scope = setting(env, "ATTIO_BUDGET_SCOPE", "attio.budget.scope");
        if (!scope.equals("auto") && !scope.equals("workspace")) {
            problems.add(who + ": attio.budget.scope " + scope + " gives each replica a budget of its own");
        }
        int reads = Integer.parseInt(setting(env, "ATTIO_RATE_READS_PER_SECOND", "attio.rate.reads-per-second"));
        int writes = Integer.parseInt(setting(env, "ATTIO_RATE_WRITES_PER_SECOND", "attio.rate.writes-per-second"));
        if (reads > WORKSPACE_READS || writes > WORKSPACE_WRITES) {
            problems.add(who + ": a budget of " + reads + " reads/s and " + writes + " writes/s exceeds one workspace's");
        }
        return problems;
    }

    // ------------------------------------------------------------------ Kubernetes

    @Test
    void theManifestsAreTheKindsTheirNamesSay() {
        Map<String, List<String>> kinds = new LinkedHashMap<>();
        for (Path file : SourceFiles.list(KUBERNETES, ".yaml")) {
            kinds.put(file.getFileName().toString(), documents(file).stream()
                    .map(d -> d.get("apiVersion") + " " + d.get("kind")).toList());
        }
        assertThat(kinds).containsOnly(
                Map.entry("deployment.yaml", List.of("apps/v1 Deployment")),
                Map.entry("service.yaml", List.of("v1 Service", "v1 Service")),
                Map.entry("configmap.yaml", List.of("v1 ConfigMap")),
                Map.entry("secret.example.yaml", List.of("v1 Secret")),
                Map.entry("poddisruptionbudget.yaml", List.of("policy/v1 PodDisruptionBudget")),
                Map.entry("kustomization.yaml", List.of("kustomize.config.k8s.io/v1beta1 Kustomization")));
        assertThat(list(yaml(KUBERNETES.resolve("kustomization.yaml")).get("resources")))
                .as("everything but the placeholder Secret").containsExactlyInAnyOrder(
                        "configmap.yaml", "deployment.yaml", "service.yaml", "poddisruptionbudget.yaml");
    }

    @Test
    void theDeploymentRunsTwoNonRootReplicasProbedOnTheBundlesEndpointsWithSecretsFromTheSecret() {
        assertThat(kubernetesProblems(manifests())).isEmpty();
    }

    @Test
    void kubernetesProblemsAreFound() {
        Map<String, Map<String, Object>> broken = manifests();
        Map<String, Object> pod = map(map(broken.get("Deployment"), "spec"), "template");
        Map<String, Object> container = asMap(list(map(pod, "spec").get("containers")).get(0));
        map(map(container, "readinessProbe"), "httpGet").put("path", "/observe/health");
        map(map(container, "livenessProbe"), "httpGet").put("port", "http");
        map(pod, "spec").put("terminationGracePeriodSeconds", 30);
        map(map(pod, "spec"), "securityContext").put("runAsUser", "attio");
        Map<String, Object> token = asMap(list(container.get("env")).get(2));
        token.remove("valueFrom");
        token.put("value", "a-real-looking-token");
        map(broken.get("ConfigMap"), "data").put("ATTIO_RATE_READ_PER_SECOND", "50");
        map(broken.get("ConfigMap"), "data").put("ATTIO_STORE_PASSWORD", "hunter2");
        map(broken.get("Deployment"), "spec").put("replicas", 3);
        map(broken.get("ConfigMap"), "data").put("ATTIO_RATE_WRITES_PER_SECOND", "50");

        assertThat(kubernetesProblems(broken)).anyMatch(p -> p.contains("readinessProbe"))
                .anyMatch(p -> p.contains("livenessProbe") && p.contains("port"))
                .anyMatch(p -> p.contains("runAsUser"))
                .anyMatch(p -> p.contains("BUNDLE_API_TOKEN") && p.contains("secretKeyRef"))
                .anyMatch(p -> p.contains("ATTIO_RATE_READ_PER_SECOND") && p.contains("no setting"))
                .anyMatch(p -> p.contains("ATTIO_STORE_PASSWORD") && p.contains("ConfigMap"))
                .anyMatch(p -> p.contains("replicas"))
                .anyMatch(p -> p.contains("50 writes/s exceeds"))
                .anyMatch(p -> p.contains("terminationGracePeriodSeconds"));
    }

    /** The first document of each kind, by kind; the Services by name. */
    private static Map<String, Map<String, Object>> manifests() {
        Map<String, Map<String, Object>> byKind = new LinkedHashMap<>();
        for (Path file : SourceFiles.list(KUBERNETES, ".yaml")) {
            for (Map<String, Object> document : documents(file)) {
                String kind = String.valueOf(document.get("kind"));
                byKind.putIfAbsent(kind.equals("Service") ? "Service " + map(document, "metadata").get("name") : kind,
                        document);
            }
        }
        return byKind;
    }

    static List<String> kubernetesProblems(Map<String, Map<String, Object>> manifests) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> deployment = manifests.get("Deployment");
        Map<String, Object> spec = map(deployment, "spec");
        int replicas = ((Number) spec.get("replicas")).intValue();
        if (replicas != 2) {
            problems.add("Deployment: replicas " + replicas + ", not 2");
        }
        Map<String, Object> podLabels = map(map(map(spec, "template"), "metadata"), "labels");
        Map<String, Object> podSpec = map(map(spec, "template"), "spec");
        if (!(podSpec.get("terminationGracePeriodSeconds") instanceof Integer grace) || grace <= shutdownTimeout()) {
            problems.add("Deployment: terminationGracePeriodSeconds " + podSpec.get("terminationGracePeriodSeconds")
                    + " does not outlast camel.main.shutdown-timeout");
        }
        Map<String, Object> security = map(podSpec, "securityContext");
        if (!Boolean.TRUE.equals(security.get("runAsNonRoot"))) {
            problems.add("Deployment: runAsNonRoot is not true");
        }
        if (!(security.get("runAsUser") instanceof Integer uid) || uid != dockerfileUid()) {
            problems.add("Deployment: runAsUser " + security.get("runAsUser") + " is not the image's numeric USER "
                    + dockerfileUid());
        }
        List<Object> containers = list(podSpec.get("containers"));
        Map<String, Object> container = asMap(containers.get(0));
        Map<String, Object> configData = map(manifests.get("ConfigMap"), "data");
        Map<String, Object> secret = manifests.get("Secret");

        Map<String, String> env = new LinkedHashMap<>();
        configData.forEach((k, v) -> env.put(k, String.valueOf(v)));
        Set<String> bundleReads = bundleEnvironment();
        for (Object item : list(container.get("env"))) {
            Map<String, Object> variable = asMap(item);
            String name = String.valueOf(variable.get("name"));
            Map<String, Object> ref = map(map(variable, "valueFrom"), "secretKeyRef");
            if (SECRETS.contains(name)) {
                if (variable.containsKey("value") || ref.isEmpty()) {
                    problems.add("Deployment: " + name + " does not come from a secretKeyRef");
                } else if (!map(secret, "metadata").get("name").equals(ref.get("name"))
                        || !map(secret, "stringData").containsKey(ref.get("key"))) {
                    problems.add("Deployment: " + name + " refers to " + ref + ", not a key of the Secret");
                }
            } else {
                env.put(name, String.valueOf(variable.get("value")));
            }
            if (!bundleReads.contains(name)) {
                problems.add("Deployment: " + name + " is no setting the bundle reads");
            }
        }
        for (String required : List.of("ATTIO_API_KEY", "ATTIO_WEBHOOK_SECRET", "BUNDLE_API_TOKEN",
                "ATTIO_STORE_USER", "ATTIO_STORE_PASSWORD")) {
            if (list(container.get("env")).stream().noneMatch(v -> required.equals(asMap(v).get("name")))) {
                problems.add("Deployment: " + required + " is not set from the Secret");
            }
        }
        for (String key : configData.keySet()) {
            if (SECRETS.contains(key)) {
                problems.add("ConfigMap: " + key + " is a secret in a ConfigMap");
            }
            if (!bundleReads.contains(key)) {
                problems.add("ConfigMap: " + key + " is no setting the bundle reads");
            }
        }
        if (!String.valueOf(env.get("ATTIO_STORE_JDBC_URL")).startsWith("jdbc:postgresql://")) {
            problems.add("Deployment: the replicas do not share a PostgreSQL store");
        }
        map(secret, "stringData").forEach((k, v) -> {
            if (!String.valueOf(v).startsWith("REPLACE_")) {
                problems.add("Secret: " + k + " holds a value, not a placeholder");
            }
        });
        problems.addAll(budgetProblems("Deployment", env));

        Map<String, Integer> containerPorts = new LinkedHashMap<>();
        for (Object port : list(container.get("ports"))) {
            containerPorts.put(String.valueOf(asMap(port).get("name")), (Integer) asMap(port).get("containerPort"));
        }
        int management = Integer.parseInt(setting(env, "MANAGEMENT_PORT", "attio.management-port"));
        int http = Integer.parseInt(setting(env, "HTTP_PORT", "attio.http-port"));
        if (!Integer.valueOf(http).equals(containerPorts.get("http"))) {
            problems.add("Deployment: containerPort http is not the bundle's HTTP port " + http);
        }
        Map<String, String> probes = Map.of("readinessProbe", READY, "livenessProbe", LIVE, "startupProbe", LIVE);
        probes.forEach((probe, path) -> {
            Map<String, Object> get = map(map(container, probe), "httpGet");
            if (!path.equals(get.get("path"))) {
                problems.add("Deployment: " + probe + " asks " + get.get("path") + ", not " + path);
            }
            Object port = get.get("port");
            Integer number = port instanceof Integer n ? n : containerPorts.get(String.valueOf(port));
            if (number == null || number != management) {
                problems.add("Deployment: " + probe + " port " + port + " is not the management port " + management);
            }
        });

        for (String service : List.of("Service attio-camel", "Service attio-camel-management")) {
            Map<String, Object> serviceSpec = map(manifests.get(service), "spec");
            if (!podLabels.entrySet().containsAll(map(serviceSpec, "selector").entrySet())) {
                problems.add(service + ": selector does not select the Deployment's pods");
            }
            for (Object port : list(serviceSpec.get("ports"))) {
                if (!containerPorts.containsKey(String.valueOf(asMap(port).get("targetPort")))) {
                    problems.add(service + ": targetPort " + asMap(port).get("targetPort") + " is no container port");
                }
            }
        }
        Map<String, Object> pdb = map(manifests.get("PodDisruptionBudget"), "spec");
        if (!podLabels.entrySet().containsAll(map(map(pdb, "selector"), "matchLabels").entrySet())
                || !(pdb.get("minAvailable") instanceof Integer min) || min < 1 || min >= replicas) {
            problems.add("PodDisruptionBudget: does not keep 1 of the " + replicas + " replicas while allowing a drain");
        }
        return problems;
    }

    // ------------------------------------------------------------------ image

    @Test
    void theImageRunsAsANumericUserChecksLivenessAndBuildsOnlyTheJar() {
        assertThat(dockerfileProblems(SourceFiles.read(DOCKERFILE))).isEmpty();
    }

    @Test
    void dockerfileProblemsAreFound() {
        String broken = SourceFiles.read(DOCKERFILE).replaceAll("(?m)^USER .*$", "USER attio")
                .replace(LIVE, "/observe/health").replace(" -Dbundle.skip=true", "");
        assertThat(dockerfileProblems(broken)).anyMatch(p -> p.contains("USER"))
                .anyMatch(p -> p.contains("HEALTHCHECK")).anyMatch(p -> p.contains("Karaf"));
    }

    static List<String> dockerfileProblems(String dockerfile) {
        List<String> problems = new ArrayList<>();
        List<String> users = instructions(dockerfile, "USER");
        if (users.isEmpty() || !users.get(users.size() - 1).matches("\\d+(:\\d+)?")) {
            problems.add("the last USER is " + users + ", not numeric (runAsNonRoot cannot check a name)");
        }
        List<String> healthchecks = instructions(dockerfile, "HEALTHCHECK");
        if (healthchecks.size() != 1 || !healthchecks.get(0).matches(".*/observe/health/live\\b.*")) {
            problems.add("the HEALTHCHECK is " + healthchecks + ", not on " + LIVE);
        }
        if (instructions(dockerfile, "RUN").stream().noneMatch(r -> r.contains(" package ") && r.contains("-Dbundle.skip=true"))) {
            problems.add("the image build also builds the Karaf bundles (no -Dbundle.skip=true on package)");
        }
        return problems;
    }

    @Test
    void theBuildContextLeavesOutBuildOutputHistoryAndLocalSettingsButNotWhatTheBuildCopies() {
        assertThat(dockerignoreProblems(SourceFiles.read(DOCKERIGNORE), SourceFiles.read(DOCKERFILE))).isEmpty();
    }

    @Test
    void dockerignoreProblemsAreFound() {
        String dockerfile = SourceFiles.read(DOCKERFILE);
        assertThat(dockerignoreProblems("**/target/\n.git/\n", dockerfile))
                .anyMatch(p -> p.contains("config/dev.local.properties"));
        assertThat(dockerignoreProblems(SourceFiles.read(DOCKERIGNORE) + "\nsrc/\n", dockerfile))
                .anyMatch(p -> p.contains("src"));
        assertThat(dockerignoreProblems(SourceFiles.read(DOCKERIGNORE) + "\n!target/\n", dockerfile))
                .anyMatch(p -> p.contains("target/attio-camel.jar"));
    }

    static List<String> dockerignoreProblems(String dockerignore, String dockerfile) {
        List<String> problems = new ArrayList<>();
        for (String path : List.of("target/attio-camel.jar", ".git/HEAD", "config/dev.local.properties",
                "data/attio.mv.db", ".env", "deploy/.env", ".idea/workspace.xml")) {
            if (!ignored(dockerignore, path)) {
                problems.add(path + " would be in the build context");
            }
        }
        // what the build stage copies from the context must still be there
        for (String copy : instructions(dockerfile, "COPY")) {
            if (copy.startsWith("--from")) {
                continue;
            }
            String source = copy.replaceAll("^(--\\S+\\s+)*", "").split("\\s+")[0];
            String probe = source.equals("pom.xml") ? source : source + "/probe";
            if (ignored(dockerignore, probe)) {
                problems.add("COPY " + source + " is left out of the build context");
            }
        }
        if (ignored(dockerignore, "config/application.properties")) {
            problems.add("config/application.properties is left out of the build context");
        }
        return problems;
    }

    /** Docker's rule: the last pattern matching the path or one of its parent directories decides; ! re-includes. */
    static boolean ignored(String dockerignore, String path) {
        boolean ignored = false;
        for (String line : dockerignore.split("\n")) {
            String pattern = line.strip();
            if (pattern.isEmpty() || pattern.startsWith("#")) {
                continue;
            }
            boolean exception = pattern.startsWith("!");
            pattern = pattern.replaceFirst("^!", "").replaceFirst("^/", "").replaceFirst("/+$", "");
            Pattern regex = Pattern.compile(glob(pattern));
            String[] parts = path.split("/");
            for (int i = 1; i <= parts.length; i++) {
                if (regex.matcher(String.join("/", List.of(parts).subList(0, i))).matches()) {
                    ignored = !exception;
                    break;
                }
            }
        }
        return ignored;
    }

    private static String glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (pattern.startsWith("**/", i)) {
                regex.append("(.*/)?");
                i += 2;
            } else if (pattern.startsWith("**", i)) {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

    // ------------------------------------------------------------------ what the bundle reads

    /**
     * Environment variables the jar reads: every key of the packed properties by Camel's rule (attio.store.jdbc-url
     * <- ATTIO_STORE_JDBC_URL), the {{env:NAME}} there, log4j2's ${env:NAME}, System.getenv in the main code, and
     * the JVM's JAVA_TOOL_OPTIONS.
     */
    static Set<String> bundleEnvironment() {
        Set<String> names = new TreeSet<>(Set.of("JAVA_TOOL_OPTIONS"));
        properties().stringPropertyNames().forEach(k -> names.add(k.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_')));
        collect(names, Pattern.compile("\\{\\{env:([A-Z0-9_]+)"), SourceFiles.read(PROPERTIES));
        collect(names, Pattern.compile("\\$\\{env:([A-Z0-9_]+)"), SourceFiles.read(Path.of("src/main/resources/log4j2.properties")));
        for (Path file : SourceFiles.list(Path.of("src/main/java/io/github/attiocamel"), ".java")) {
            collect(names, Pattern.compile("getenv\\(\"([A-Z0-9_]+)\"\\)"), SourceFiles.read(file));
            collect(names, Pattern.compile("env(?:Or|Port)\\(\"([A-Z0-9_]+)\""), SourceFiles.read(file));
        }
        return names;
    }

    /** The variables {@code --simulator} reads (sandbox.SimulatorMain), and the JVM's. */
    static Set<String> simulatorEnvironment() {
        Set<String> names = new TreeSet<>(Set.of("JAVA_TOOL_OPTIONS"));
        collect(names, Pattern.compile("\"(SIMULATOR_[A-Z0-9_]+)\""),
                SourceFiles.read(Path.of("src/main/java/io/github/attiocamel/sandbox/SimulatorMain.java")));
        return names;
    }

    @Test
    void theBundleEnvironmentIsReadFromTheSourcesNotGuessed() {
        assertThat(bundleEnvironment()).contains("ATTIO_STORE_JDBC_URL", "ATTIO_STORE_PASSWORD", "HTTP_PORT",
                "MANAGEMENT_PORT", "BUNDLE_API_TOKEN", "ATTIO_PROFILE", "CONFIG_DIR", "ROUTES_DIR", "LOG_LEVEL",
                "SANDBOX_ATTIO_PORT").doesNotContain("ATTIO_STORE_JDBCURL", "SIMULATOR_PORT");
        assertThat(simulatorEnvironment()).contains("SIMULATOR_PORT", "SIMULATOR_API_KEY", "SIMULATOR_HOST")
                .doesNotContain("ATTIO_API_KEY");
    }

    /** An env var's value if set there, else the packed default of its key, resolving {{env:NAME:default}}. */
    private static String setting(Map<String, ?> env, String name, String key) {
        Object value = env.get(name);
        if (value != null) {
            return String.valueOf(value);
        }
        String packed = properties().getProperty(key);
        Matcher m = Pattern.compile("\\{\\{env:" + name + ":([^}]*)}}").matcher(packed);
        return m.matches() ? m.group(1) : packed;
    }

    /** Seconds Camel waits for in-flight exchanges after SIGTERM. */
    private static int shutdownTimeout() {
        return Integer.parseInt(properties().getProperty("camel.main.shutdown-timeout").strip());
    }

    private static int dockerfileUid() {
        List<String> users = instructions(SourceFiles.read(DOCKERFILE), "USER");
        return Integer.parseInt(users.get(users.size() - 1).split(":")[0]);
    }

    /** The arguments of each instruction, continuation lines joined. */
    private static List<String> instructions(String dockerfile, String instruction) {
        String joined = dockerfile.replaceAll("\\\\\\s*\\n(\\s*#[^\\n]*\\n)*", " ");
        return joined.lines().map(String::strip).filter(l -> l.startsWith(instruction + " "))
                .map(l -> l.substring(instruction.length()).strip()).collect(Collectors.toList());
    }

    private static void collect(Set<String> names, Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
    }

    private static Properties properties() {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(PROPERTIES)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    private static String command(Object test) {
        return test instanceof List<?> parts ? parts.stream().map(String::valueOf)
                .filter(p -> !p.equals("CMD") && !p.equals("CMD-SHELL")).collect(Collectors.joining(" "))
                : String.valueOf(test);
    }

    static Map<String, Object> yaml(Path file) {
        return asMap(newYaml().load(SourceFiles.read(file)));
    }

    private static List<Map<String, Object>> documents(Path file) {
        List<Map<String, Object>> documents = new ArrayList<>();
        newYaml().loadAll(SourceFiles.read(file)).forEach(d -> documents.add(asMap(d)));
        return documents;
    }

    private static Yaml newYaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }

    /** A child mapping, or an empty one where the key is absent (the checks then report what is missing). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object child = parent.get(key);
        return child instanceof Map<?, ?> ? (Map<String, Object>) child : new LinkedHashMap<>();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object node) {
        return node instanceof Map<?, ?> ? (Map<String, Object>) node : new LinkedHashMap<>();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object node) {
        return node instanceof List<?> ? (List<Object>) node : List.of();
    }
}
