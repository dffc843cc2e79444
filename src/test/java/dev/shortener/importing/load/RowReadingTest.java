package dev.shortener.importing.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shortener.importing.csv.CsvFile;
import java.io.StringReader;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RowReadingTest {

    /** Reads the first data record of a CSV text as a row of the entity, or its problems. */
    private static Object read(Entity entity, String csv) {
        try (CsvFile file = new CsvFile(new StringReader(csv))) {
            file.header();
            CsvFile.Record record = file.next();
            CsvLine line = new CsvLine(record.line(), file.columns(), record.values());
            Row row = entity.read(line);
            return row != null ? row : line.problems();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aSeedUserRowIsReadWithItsIdAndTimestamp() {
        Object row = read(Entity.USERS, """
                id,username,email,created_at
                1,briskkernel84,briskkernel84@example.com,2024-11-14 04:11:00
                """);

        assertThat(row)
                .isEqualTo(new UserRow(
                        2, 1L, "briskkernel84", "briskkernel84@example.com", LocalDateTime.of(2024, 11, 14, 4, 11, 0)));
    }

    @Test
    void idAndCreatedAtAreOptionalColumnsForUsers() {
        Object row = read(Entity.USERS, "username,email\n  ada  , ada@example.com \n");

        assertThat(row).isEqualTo(new UserRow(2, null, "ada", "ada@example.com", null));
    }

    @ParameterizedTest(name = "users row {0} is refused: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1,,a@example.com,|username is required",
                "1,ada,not-an-email,|email must be a valid e-mail address",
                "1,ada,,|email is required",
                "abc,ada,a@example.com,|id must be a positive integer",
                "0,ada,a@example.com,|id must be a positive integer",
                "1,ada,a@example.com,14/11/2024|created_at must be a timestamp like 2024-11-14 04:11:00",
                "1,ada,a@example.com,2024-02-30 10:00:00|created_at must be a timestamp",
            })
    void invalidUserRowsAreRefusedWithTheReason(String values, String reason) {
        Object problems = read(Entity.USERS, "id,username,email,created_at\n" + values + "\n");

        assertThat(problems).asString().startsWith(reason);
    }

    @Test
    void aTooLongUsernameAndABadEmailAreBothReported() {
        Object problems = read(Entity.USERS, "username,email\n" + "x".repeat(65) + ",nope\n");

        assertThat(problems).isEqualTo("username must be at most 64 characters; email must be a valid e-mail address");
    }

    @ParameterizedTest(name = "is_active {0} reads as {1}")
    @CsvSource({"True,true", "False,false", "true,true", "false,false", "1,true", "0,false"})
    void isActiveAcceptsTheSeedFilesBooleans(String text, boolean expected) {
        Object row = read(Entity.URLS, """
                id,user_id,short_code,original_url,title,is_active,created_at,updated_at
                1,1,WqxP6K,https://seeded.app/gold/meadow/1,Service guide orbit,%s,2025-06-22 20:54:35,2025-07-05 18:21:21
                """.formatted(text));

        assertThat(row).isInstanceOf(UrlRow.class);
        assertThat(((UrlRow) row).isActive()).isEqualTo(expected);
    }

    @Test
    void aSeedUrlRowIsReadWithEveryColumn() {
        Object row = read(Entity.URLS, """
                id,user_id,short_code,original_url,title,is_active,created_at,updated_at
                1,1,WqxP6K,https://seeded.app/gold/meadow/1,Service guide orbit,True,2025-06-22 20:54:35,2025-07-05T18:21:21
                """);

        assertThat(row)
                .isEqualTo(new UrlRow(
                        2,
                        1L,
                        1L,
                        "WqxP6K",
                        "https://seeded.app/gold/meadow/1",
                        "Service guide orbit",
                        true,
                        LocalDateTime.of(2025, 6, 22, 20, 54, 35),
                        LocalDateTime.of(2025, 7, 5, 18, 21, 21)));
    }

    @Test
    void anEmptyUserIdTitleAndIsActiveReadAsNull() {
        Object row = read(Entity.URLS, "user_id,short_code,original_url,title,is_active\n,abc,http://a.example,,\n");

        assertThat(row).isEqualTo(new UrlRow(2, null, null, "abc", "http://a.example", null, null, null, null));
    }

    @ParameterizedTest(name = "urls row {0} is refused: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "x1,abc,https://a.example,T,True|user_id must be a positive integer",
                "1,abc,not-a-url,T,True|original_url must be an absolute http or https URL with a host",
                "1,abc,ftp://a.example/f,T,True|original_url must be an absolute http or https URL",
                "1,abc,javascript:alert(1),T,True|original_url must be an absolute http or https URL",
                "1,abc,https:///nohost,T,True|original_url must be an absolute http or https URL",
                "1,ab,https://a.example,T,True|short_code must be 3 to 32 characters",
                "1,a b c,https://a.example,T,True|short_code must be 3 to 32 characters",
                "1,users,https://a.example,T,True|short_code is reserved",
                "1,abc,https://a.example,T,yes|is_active must be one of True, False, true, false, 1, 0",
                "1,,https://a.example,T,True|short_code is required",
                "1,abc,,T,True|original_url is required",
            })
    void invalidUrlRowsAreRefusedWithTheReason(String values, String reason) {
        Object problems = read(Entity.URLS, "user_id,short_code,original_url,title,is_active\n" + values + "\n");

        assertThat(problems).asString().startsWith(reason);
    }

    @Test
    void aTooLongOriginalUrlOrTitleIsRefused() {
        String url = "https://a.example/" + "p".repeat(2048);
        Object problems = read(Entity.URLS, "short_code,original_url,title\nabc," + url + "," + "t".repeat(256) + "\n");

        assertThat(problems)
                .isEqualTo("original_url must be at most 2048 characters; title must be at most 255 characters");
    }

    @Test
    void aSeedEventRowKeepsItsDetailsAsJsonText() {
        Object row = read(Entity.EVENTS, """
                id,url_id,user_id,event_type,timestamp,details
                1,1,1,created,2025-06-22 20:54:35,"{""short_code"":""WqxP6K"",""original_url"":""https://seeded.app/gold/meadow/1""}"
                """);

        assertThat(row)
                .isEqualTo(new EventRow(
                        2,
                        1L,
                        1,
                        1L,
                        "created",
                        LocalDateTime.of(2025, 6, 22, 20, 54, 35),
                        "{\"short_code\":\"WqxP6K\",\"original_url\":\"https://seeded.app/gold/meadow/1\"}"));
    }

    @Test
    void emptyDetailsMeanAnEmptyObject() {
        Object row = read(Entity.EVENTS, "url_id,event_type,details\n7,click,\n");

        assertThat(row).isEqualTo(new EventRow(2, null, 7, null, "click", null, "{}"));
    }

    @ParameterizedTest(name = "details {0} is refused")
    @CsvSource(
            delimiter = '|',
            value = {"\"[1,2]\"", "\"\"\"text\"\"\"", "42", "\"{\"\"a\"\":\"", "\"{} {}\"", "null"})
    void detailsMustBeTheTextOfOneJsonObject(String details) {
        Object problems = read(Entity.EVENTS, "url_id,event_type,details\n1,created," + details + "\n");

        assertThat(problems).isEqualTo("details must be the text of a JSON object");
    }

    @Test
    void anEventNeedsAUrlIdAndAType() {
        Object problems = read(Entity.EVENTS, "url_id,user_id,event_type\n,2,\n");

        assertThat(problems).isEqualTo("url_id is required; event_type is required");
    }

    @ParameterizedTest(name = "{0} is read as {1}")
    @CsvSource({
        "2024-11-14 04:11:00,2024-11-14T04:11:00",
        "2024-11-14T04:11:00,2024-11-14T04:11:00",
        "2024-11-14 04:11:00.987654,2024-11-14T04:11:00",
        "2024-11-14T04:11:00Z,2024-11-14T04:11:00",
        "2024-11-14T06:11:00+02:00,2024-11-14T04:11:00",
        "2024-11-14 04:11,2024-11-14T04:11:00",
    })
    void timestampsAreReadAsUtcSeconds(String text, LocalDateTime expected) {
        assertThat(CsvLine.parseTimestamp(text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} is not a timestamp")
    @CsvSource({"2024-11-14", "14/11/2024 04:11:00", "2024-11-14X04:11:00", "0000-01-01 00:00:00", "yesterday"})
    void otherTimestampsAreRefused(String text) {
        assertThat(CsvLine.parseTimestamp(text)).isNull();
    }

    @ParameterizedTest(name = "{0} is not a timestamp")
    @CsvSource({
        "2023-02-29 00:00:00",
        "2024-04-31 00:00:00",
        "2024-13-01 00:00:00",
        "2024-00-10 00:00:00",
        "2024-01-00 00:00:00",
        "2024-01-01 24:00:00",
        "2024-01-01 23:60:00",
        "2024-01-01 23:59:60",
        "2024-01-01 2:59:590",
        "2024/01/01 23:59:59",
        "2024-01-01_23:59:59",
        "2024-01-01 23:59:5x",
    })
    void impossibleDatesAndTimesOfTheSeedFormAreRefused(String text) {
        assertThat(CsvLine.parseTimestamp(text)).isNull();
    }

    /** The seed files' form is read by hand: it must agree with the ISO formatter everywhere. */
    @Test
    void theSeedFormReadsAsTheIsoFormatterReadsIt() {
        java.util.Random random = new java.util.Random(3);
        int read = 0;
        for (int i = 0; i < 100_000; i++) {
            String text = "%04d-%02d-%02d%s%02d:%02d:%02d"
                    .formatted(
                            random.nextInt(10_000),
                            random.nextInt(14),
                            random.nextInt(33),
                            random.nextBoolean() ? " " : "T",
                            random.nextInt(26),
                            random.nextInt(62),
                            random.nextInt(62));
            LocalDateTime expected;
            try {
                expected = LocalDateTime.parse(text.replace(' ', 'T'));
                expected = expected.getYear() < 1 ? null : expected;
            } catch (java.time.format.DateTimeParseException e) {
                expected = null;
            }
            assertThat(CsvLine.parseTimestamp(text)).as(text).isEqualTo(expected);
            read += expected == null ? 0 : 1;
        }
        assertThat(read).isGreaterThan(10_000);
    }

    @Test
    void aValueWithANulCharacterIsRefused() {
        Object problems = read(Entity.USERS, "username,email\nad\0a,a@example.com\n");

        assertThat(problems).isEqualTo("username must not contain a NUL character");
    }

    @Test
    void recordsKnowThePhysicalLineTheyStartOn() throws Exception {
        String csv = "\uFEFF Username ,EMAIL\r\n"
                + "a,a@example.com\r\n"
                + "\r\n"
                + "\"multi\nline\",b@example.com\n"
                + "c,c@example.com\n";
        List<Long> lines = new ArrayList<>();
        try (CsvFile file = new CsvFile(new StringReader(csv))) {
            assertThat(file.header().values()).containsExactly("username", "email");
            for (CsvFile.Record r = file.next(); r != null; r = file.next()) {
                if (!r.isBlank()) {
                    lines.add(r.line());
                }
            }
        }

        assertThat(lines).containsExactly(2L, 4L, 6L);
    }

    @Test
    void aBrokenQuoteStopsTheFileAtTheLineItStarts() throws Exception {
        String csv = "username,email\na,a@example.com\n\"open,b@example.com\nc,c@example.com\n";
        try (CsvFile file = new CsvFile(new StringReader(csv))) {
            file.header();
            assertThat(file.next().line()).isEqualTo(2);

            CsvFile.Malformed malformed =
                    org.junit.jupiter.api.Assertions.assertThrows(CsvFile.Malformed.class, file::next);

            assertThat(malformed.line()).isEqualTo(3);
            assertThat(malformed.getMessage()).contains("EOF reached");
        }
    }

    @Test
    void theEntityOfAFileIsToldByItsHeaderElseItsName() {
        assertThat(Entity.infer(List.of("id", "username", "email"), "x.csv")).contains(Entity.USERS);
        assertThat(Entity.infer(List.of("id", "short_code", "original_url"), "x.csv"))
                .contains(Entity.URLS);
        assertThat(Entity.infer(List.of("id", "url_id", "event_type"), "x.csv")).contains(Entity.EVENTS);
        assertThat(Entity.infer(List.of("a", "b"), "Events-2025.csv")).contains(Entity.EVENTS);
        assertThat(Entity.infer(List.of("a", "b"), "data.csv")).isEmpty();
    }
}
