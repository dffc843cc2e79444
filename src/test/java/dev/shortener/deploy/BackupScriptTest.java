package dev.shortener.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/backup.sh against a stand-in docker CLI whose pg_dump writes a dump that pg_restore
 * accepts (or fails, or writes one it refuses): what is kept, what is pruned, and the time of the
 * last success that ShortenerBackupStale watches.
 */
class BackupScriptTest {

    private static final Pattern SUCCESS =
            Pattern.compile("(?m)^backup_last_success_timestamp_seconds\\{target=\"postgres\"} (\\d+)$");
    private static final String FAKE_DOCKER = """
            #!/usr/bin/env bash
            # docker compose exec -T postgres sh -c COMMAND: the command is the last argument
            case "${@: -1}" in
              *pg_dump*)
                [ "${FAKE_DUMP:-}" = fails ] && { echo "pg_dump: connection refused" >&2; exit 1; }
                [ "${FAKE_DUMP:-}" = garbage ] && { printf 'not a dump'; exit 0; }
                printf 'PGDMP custom-format dump' ;;
              *pg_restore*)
                [ "$(head -c 5)" = PGDMP ] || { echo "pg_restore: input file does not appear to be a valid archive" >&2; exit 1; } ;;
              *) echo "unexpected: $*" >&2; exit 2 ;;
            esac
            """;

    @TempDir
    Path dir;

    private Path backups;
    private Path metrics;
    private Path docker;

    @BeforeEach
    void aHostWithOldBackups() throws IOException {
        backups = Files.createDirectories(dir.resolve("backups"));
        metrics = dir.resolve("metrics");
        docker = dir.resolve("docker");
        Files.writeString(docker, FAKE_DOCKER);
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));
        dump("old.dump", Duration.ofDays(20));
        dump("recent.dump", Duration.ofDays(3));
    }

    @Test
    void a_night_keeps_a_checked_dump_prunes_old_ones_and_records_its_success() throws Exception {
        long before = Instant.now().getEpochSecond();

        var run = backup(Map.of());

        assertThat(run.exitCode()).as(run.output()).isZero();
        Path today = backups.resolve(LocalDate.now(ZoneOffset.UTC) + ".dump");
        assertThat(today).hasContent("PGDMP custom-format dump");
        assertThat(backups.resolve("old.dump"))
                .as("older than BACKUP_KEEP_DAYS")
                .doesNotExist();
        assertThat(backups.resolve("recent.dump")).exists();
        String recorded = Files.readString(metrics.resolve("backup.prom"));
        assertThat(success(recorded)).isBetween(before, Instant.now().getEpochSecond());
        assertThat(recorded).contains("backup_last_size_bytes{target=\"postgres\"} " + Files.size(today));
        try (var left = Files.list(metrics)) {
            assertThat(left).as("no temporary metrics file left").hasSize(1);
        }
    }

    @Test
    void a_failed_dump_keeps_nothing_and_leaves_the_last_success_where_it_was() throws Exception {
        assertThat(backup(Map.of()).exitCode()).isZero();
        String lastNight = Files.readString(metrics.resolve("backup.prom"));
        Path today = backups.resolve(LocalDate.now(ZoneOffset.UTC) + ".dump");
        Files.delete(today);

        for (String failure : new String[] {"fails", "garbage"}) {
            var run = backup(Map.of("FAKE_DUMP", failure));

            assertThat(run.exitCode()).as("%s: %s", failure, run.output()).isNotZero();
            assertThat(today).as("no dump kept when pg_dump %s", failure).doesNotExist();
            assertThat(backups.resolve(today.getFileName() + ".partial")).doesNotExist();
            assertThat(Files.readString(metrics.resolve("backup.prom"))).isEqualTo(lastNight);
        }
    }

    private void dump(String name, Duration age) throws IOException {
        Path file = Files.writeString(backups.resolve(name), "PGDMP old");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
    }

    private static long success(String metricsFile) {
        Matcher matcher = SUCCESS.matcher(metricsFile);
        assertThat(matcher.find()).as(metricsFile).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    private DeployFiles.Run backup(Map<String, String> env) {
        Map<String, String> environment = new HashMap<>(env);
        environment.put("DOCKER", docker.toString());
        environment.put("BACKUP_DIR", backups.toString());
        environment.put("BACKUP_METRICS_DIR", metrics.toString());
        return DeployFiles.run(
                DeployFiles.seconds(60),
                List.of("bash", DeployFiles.root().resolve("deploy/backup.sh").toString()),
                environment);
    }
}
