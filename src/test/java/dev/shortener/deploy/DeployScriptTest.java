package dev.shortener.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/deploy.sh against a stand-in docker CLI (src/test/resources/deploy/fake-docker.sh): the
 * order of the steps, the upstream it hands nginx at each reload, and the automatic rollback.
 */
class DeployScriptTest {

    private static final String OLD = "ghcr.io/acme/shortener:v1";
    private static final String NEW = "ghcr.io/acme/shortener:v2";

    @TempDir
    Path dir;

    private Path repo;
    private Path state;
    private Path docker;

    @BeforeEach
    void aStackRunningTheOldImage() throws IOException {
        repo = Files.createDirectories(dir.resolve("repo"));
        Files.createDirectories(repo.resolve("deploy/nginx"));
        Files.copy(DeployFiles.root().resolve("deploy/deploy.sh"), repo.resolve("deploy/deploy.sh"));
        Files.copy(
                DeployFiles.root().resolve("deploy/nginx/upstream.conf"), repo.resolve("deploy/nginx/upstream.conf"));
        Files.copy(DeployFiles.root().resolve("docker-compose.yml"), repo.resolve("docker-compose.yml"));
        Files.writeString(repo.resolve(".env"), "POSTGRES_DB=shortener\nAPP_IMAGE=" + OLD + "\n");
        docker = dir.resolve("docker");
        try (InputStream fake = getClass().getResourceAsStream("/deploy/fake-docker.sh")) {
            Files.copy(fake, docker, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));
        state = dir.resolve("containers");
        container("nginx", "n1", "nginx");
        container("app1", "old1", OLD);
        container("app2", "old2", OLD);
    }

    @Test
    void a_deploy_migrates_once_then_replaces_each_replica_behind_nginx_and_restores_the_upstream() throws Exception {
        var run = deploy(Map.of(), NEW);

        assertThat(run.exitCode()).as(run.output()).isZero();
        String calls = calls();
        assertThat(calls.indexOf("migrate " + NEW))
                .as("migration before the first replica")
                .isPositive()
                .isLessThan(calls.indexOf("--scale app1=2"));
        assertThat(calls).containsOnlyOnce("migrate ");
        assertThat(calls.indexOf("--scale app1=2")).isLessThan(calls.indexOf("stop -t 30 old1"));
        assertThat(calls.indexOf("stop -t 30 old1")).isLessThan(calls.indexOf("--scale app2=2"));
        assertThat(calls.indexOf("--scale app2=2")).isLessThan(calls.indexOf("stop -t 30 old2"));

        List<String> reloads = reloads();
        assertThat(reloads).hasSize(4);
        assertThat(reloads.get(0))
                .as("first swap: app1's line points at the new container, app2 untouched")
                .containsPattern("server 10\\.0\\.0\\.\\d+:8080 max_fails")
                .contains("server app2:8080")
                .doesNotContain("server app1:8080");
        assertThat(reloads.get(1)).contains("server app1:8080", "server app2:8080");
        assertThat(reloads.get(2)).contains("server app1:8080").doesNotContain("server app2:8080");
        assertThat(calls.indexOf(reloads.get(0))).isLessThan(calls.indexOf("stop -t 30 old1"));

        assertThat(Files.readString(repo.resolve("deploy/nginx/upstream.conf")))
                .isEqualTo(DeployFiles.read("deploy/nginx/upstream.conf"));
        assertThat(images("app1")).containsExactly(NEW);
        assertThat(images("app2")).containsExactly(NEW);
        assertThat(Files.readString(repo.resolve(".env")))
                .contains("APP_IMAGE=" + NEW)
                .contains("POSTGRES_DB");
        assertThat(Files.readString(dir.resolve("deploy-state/history"))).contains(NEW);
    }

    @Test
    void a_replica_that_never_gets_ready_never_receives_traffic_and_the_old_one_keeps_serving() throws Exception {
        var run = deploy(Map.of("FAKE_BAD_IMAGE", NEW), NEW);

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("not healthy", "rolled back");
        assertThat(reloads()).as("nginx never pointed at the new container").isEmpty();
        assertThat(images("app1")).containsExactly(OLD);
        assertThat(images("app2")).containsExactly(OLD);
        assertThat(calls()).doesNotContain("stop -t 30 old1");
        assertThat(Files.readString(repo.resolve(".env"))).contains("APP_IMAGE=" + OLD);
        assertThat(Files.readString(repo.resolve("deploy/nginx/upstream.conf")))
                .isEqualTo(DeployFiles.read("deploy/nginx/upstream.conf"));
    }

    @Test
    void when_the_second_replica_fails_the_first_goes_back_to_the_previous_image() throws Exception {
        var run = deploy(Map.of("FAKE_BAD_IMAGE", NEW, "FAKE_BAD_SERVICE", "app2"), NEW);

        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(calls()).contains("stop -t 30 old1");
        assertThat(images("app1")).as("app1 rolled back").containsExactly(OLD);
        assertThat(images("app2")).containsExactly(OLD);
        assertThat(Files.readString(repo.resolve(".env"))).contains("APP_IMAGE=" + OLD);
    }

    @Test
    void rollback_returns_to_the_previous_image_without_migrating_and_never_back_to_the_bad_one() throws Exception {
        assertThat(deploy(Map.of(), NEW).exitCode()).isZero();
        Files.writeString(
                dir.resolve("deploy-state/history"),
                "2026-01-01T00:00:00Z " + OLD + "\n" + Files.readString(dir.resolve("deploy-state/history")));
        Files.delete(state.resolve("calls"));

        var rollback = deploy(Map.of(), "rollback");

        assertThat(rollback.exitCode()).as(rollback.output()).isZero();
        assertThat(images("app1")).containsExactly(OLD);
        assertThat(images("app2")).containsExactly(OLD);
        assertThat(calls()).doesNotContain("migrate").doesNotContain("pull");
        assertThat(Files.readString(dir.resolve("deploy-state/history"))).contains("rolled-back-from " + NEW);
        var again = deploy(Map.of(), "rollback");
        assertThat(again.exitCode()).as("no earlier good image than v1").isNotZero();
        assertThat(images("app1")).containsExactly(OLD);
    }

    private DeployFiles.Run deploy(Map<String, String> env, String argument) {
        Map<String, String> environment = new HashMap<>(env);
        environment.put("DOCKER", docker.toString());
        environment.put("FAKE_DOCKER_STATE", state.toString());
        environment.put("DEPLOY_STATE_DIR", dir.resolve("deploy-state").toString());
        environment.put("DEPLOY_READY_TIMEOUT", "3");
        environment.put("DEPLOY_DRAIN_TIMEOUT", "2");
        return DeployFiles.run(
                DeployFiles.seconds(60),
                List.of("bash", repo.resolve("deploy/deploy.sh").toString(), argument),
                environment);
    }

    private void container(String service, String id, String image) throws IOException {
        Files.createDirectories(state.resolve(service));
        Files.writeString(state.resolve(service).resolve(id), image + "\n");
    }

    private List<String> images(String service) throws IOException {
        try (Stream<Path> containers = Files.list(state.resolve(service))) {
            return containers
                    .map(container -> {
                        try {
                            return Files.readString(container).strip();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .toList();
        }
    }

    private String calls() throws IOException {
        Path calls = state.resolve("calls");
        return Files.exists(calls) ? Files.readString(calls) : "";
    }

    /** The upstream.conf nginx loaded at each reload, in order. */
    private List<String> reloads() throws IOException {
        String calls = calls();
        return Stream.of(calls.split("reload:\n"))
                .skip(1)
                .map(chunk -> chunk.substring(0, chunk.indexOf("}\n") + 2))
                .toList();
    }
}
