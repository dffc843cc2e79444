package dev.shortener.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.web.ErrorResponseException;

class PageRequestTest {

    @Test
    void defaultsToTheFirstHundred() {
        PageRequest paging = PageRequest.of(null, null);

        assertThat(paging.page()).isEqualTo(1);
        assertThat(paging.perPage()).isEqualTo(100);
        assertThat(paging.offset()).isZero();
    }

    @Test
    void offsetCountsWholePagesBefore() {
        assertThat(PageRequest.of("3", "25").offset()).isEqualTo(50);
    }

    @Test
    void refusesOutOfRangeAndNonIntegerValuesWith400() {
        for (String[] bad : new String[][] {{"0", "10"}, {"1", "0"}, {"1", "1001"}, {"x", "10"}, {"1", "2.5"}}) {
            assertThatThrownBy(() -> PageRequest.of(bad[0], bad[1]))
                    .isInstanceOf(ErrorResponseException.class)
                    .extracting(
                            e -> ((ErrorResponseException) e).getStatusCode().value())
                    .isEqualTo(400);
        }
    }
}
