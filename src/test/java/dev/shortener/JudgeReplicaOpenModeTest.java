package dev.shortener;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** The contract's flows, unchanged and anonymous, with {@code AUTH_MODE=open} set explicitly. */
@SpringBootTest(
        webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {
            "shortener.embedded.data-dir=target/embedded-test-data",
            "shortener.embedded.clean=true",
            "shortener.auth.mode=open"
        })
class JudgeReplicaOpenModeTest extends JudgeReplicaTest {}
