package dev.shortener.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PageRequestTest {

    @Test
    void defaultsToTheFirstHundred() {
        PageRequest paging = new PageRequest(null, null);

        assertThat(paging.page()).isNull();
        assertThat(paging.number()).isEqualTo(1);
        assertThat(paging.perPage()).isEqualTo(100);
        assertThat(paging.offset()).isZero();
    }

    @Test
    void offsetCountsWholePagesBefore() {
        assertThat(new PageRequest(3, 25).offset()).isEqualTo(50);
    }
}
