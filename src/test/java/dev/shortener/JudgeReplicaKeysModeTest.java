package dev.shortener;

import org.junit.jupiter.api.BeforeEach;

/** The contract's flows in {@code AUTH_MODE=keys}, every request with the operator's key. */
@KeysMode
class JudgeReplicaKeysModeTest extends JudgeReplicaTest {

    @BeforeEach
    void useTheAdminKey() {
        api = api.withKey(KeysMode.ADMIN_KEY);
    }
}
