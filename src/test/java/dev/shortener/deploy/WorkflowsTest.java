package dev.shortener.deploy;

import static dev.shortener.deploy.DeployFiles.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CI runs on every push; deploys run only after CI, one at a time, and are never cancelled. */
class WorkflowsTest {

    private final Map<String, Object> ci = DeployFiles.yaml(DeployFiles.read(".github/workflows/ci.yml"));
    private final Map<String, Object> deploy = DeployFiles.yaml(DeployFiles.read(".github/workflows/deploy.yml"));

    @Test
    @SuppressWarnings("unchecked")
    void ci_runs_the_readme_test_command_the_rolling_proof_and_the_image_build() {
        // SnakeYAML reads the key `on` as the boolean true (YAML 1.1).
        assertThat((Map<String, Object>) ci.get(true)).containsKeys("push", "pull_request", "workflow_call");
        assertThat(at(ci, "concurrency", "group")).isNotNull();
        String jobs = ci.get("jobs").toString();
        assertThat(jobs).contains("./mvnw -B verify", "deploy/local-rolling-test.sh", "docker/build-push-action");
    }

    @Test
    void a_deploy_waits_for_ci_and_the_image_and_never_cancels_another() {
        assertThat(at(deploy, "concurrency", "cancel-in-progress")).isEqualTo(false);
        assertThat(at(deploy, "jobs", "ci", "uses")).isEqualTo("./.github/workflows/ci.yml");
        assertThat(at(deploy, "jobs", "publish", "needs")).isEqualTo("ci");
        assertThat(at(deploy, "jobs", "deploy", "needs")).isEqualTo("publish");
        assertThat(((List<?>) at(deploy, "jobs", "deploy", "steps")).toString()).contains("deploy/deploy.sh");
    }
}
