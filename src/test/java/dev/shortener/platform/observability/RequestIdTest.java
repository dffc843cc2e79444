package dev.shortener.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestIdTest {

    @Test
    void idsFromProxiesAndTracersAreAccepted() {
        assertThat(RequestId.acceptOrGenerate("5f0c6a3e9b1d4e2f8a7c6b5d4e3f2a1b"))
                .isEqualTo("5f0c6a3e9b1d4e2f8a7c6b5d4e3f2a1b");
        assertThat(RequestId.acceptOrGenerate("3fa85f64-5717-4562-b3fc-2c963f66afa6"))
                .isEqualTo("3fa85f64-5717-4562-b3fc-2c963f66afa6");
        assertThat(RequestId.acceptOrGenerate("client.app:42_x")).isEqualTo("client.app:42_x");
    }

    @Test
    void emptyLongOrOddIdsAreReplaced() {
        assertThat(RequestId.acceptOrGenerate(null)).matches("[0-9a-f]{32}");
        assertThat(RequestId.acceptOrGenerate("")).matches("[0-9a-f]{32}");
        assertThat(RequestId.acceptOrGenerate("a".repeat(65))).matches("[0-9a-f]{32}");
        assertThat(RequestId.acceptOrGenerate("id with spaces")).matches("[0-9a-f]{32}");
        assertThat(RequestId.acceptOrGenerate("evil\"}\n{\"level\":\"ERROR\"")).matches("[0-9a-f]{32}");
    }

    @Test
    void generatedIdsDiffer() {
        assertThat(RequestId.generate()).isNotEqualTo(RequestId.generate());
    }
}
