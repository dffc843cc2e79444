package dev.shortener.importing.cli;

import dev.shortener.link.ShortCode;
import dev.shortener.user.User;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import net.datafaker.Faker;
import org.apache.commons.csv.CSVFormat;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes users, urls and events files in the seed files' format, with their quirks: usernames
 * that repeat, {@code True}/{@code False} booleans, {@code YYYY-MM-DD HH:MM:SS} timestamps and
 * JSON text in {@code details} (quoted with doubled quotes). Every url has a {@code created} event;
 * the remaining events update or delete random urls. The same seed writes the same bytes.
 */
public final class SeedGenerator {

    /** How many rows of each file. */
    record Sizes(int users, int urls, int events) {
        Sizes {
            if (users < 0 || urls < 0 || events < 0) {
                throw new IllegalArgumentException("sizes must not be negative");
            }
            if (events > 0 && urls == 0) {
                throw new IllegalArgumentException("events need urls to refer to");
            }
        }
    }

    static final String USERS_HEADER = "id,username,email,created_at";
    static final String URLS_HEADER = "id,user_id,short_code,original_url,title,is_active,created_at,updated_at";
    static final String EVENTS_HEADER = "id,url_id,user_id,event_type,timestamp,details";

    private static final CSVFormat FORMAT =
            CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get();
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final List<String> DOMAINS =
            List.of("example.com", "acme.dev", "hackstack.io", "opswise.net", "seeded.app", "mailbox.org");
    private static final List<String> UPDATED_FIELDS = List.of("is_active", "title", "original_url");
    private static final List<String> DELETE_REASONS = List.of("user_requested", "expired", "policy_cleanup");
    private static final LocalDateTime USERS_FROM = LocalDateTime.of(2024, 1, 1, 0, 0);
    private static final LocalDateTime URLS_FROM = LocalDateTime.of(2025, 1, 1, 0, 0);
    private static final int DAY = 86_400;
    /** About one user in eight takes a username someone already has, as in real data. */
    private static final double REPEATED_USERNAME = 0.12;

    private final Random random;
    private final Faker faker;

    SeedGenerator(long seed) {
        this.random = new Random(seed);
        this.faker = new Faker(Locale.ENGLISH, random);
    }

    /**
     * Writes {@code users.csv}, {@code urls.csv} and {@code events.csv} into the directory,
     * counting the records written (headers aside) into {@code written}.
     */
    static List<Path> writeFiles(Sizes sizes, long seed, Path dir, LongAdder written) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = List.of(dir.resolve("users.csv"), dir.resolve("urls.csv"), dir.resolve("events.csv"));
        try (Writer users = Files.newBufferedWriter(files.get(0), StandardCharsets.UTF_8);
                Writer urls = Files.newBufferedWriter(files.get(1), StandardCharsets.UTF_8);
                Writer events = Files.newBufferedWriter(files.get(2), StandardCharsets.UTF_8)) {
            new SeedGenerator(seed).write(sizes, users, urls, events, written);
        }
        return files;
    }

    void write(Sizes sizes, Appendable usersOut, Appendable urlsOut, Appendable eventsOut, LongAdder written)
            throws IOException {
        Csv users = new Csv(usersOut, written);
        Csv urls = new Csv(urlsOut, written);
        Csv events = new Csv(eventsOut, written);
        FORMAT.printRecord(usersOut, (Object[]) USERS_HEADER.split(","));
        FORMAT.printRecord(urlsOut, (Object[]) URLS_HEADER.split(","));
        FORMAT.printRecord(eventsOut, (Object[]) EVENTS_HEADER.split(","));
        writeUsers(sizes.users(), users);
        writeUrlsAndEvents(sizes, urls, events);
    }

    /** Records quoted only where needed, a quote doubled inside a quoted value; counted. */
    private record Csv(Appendable out, LongAdder written) {
        void printRecord(Object... values) throws IOException {
            FORMAT.printRecord(out, values);
            written.increment();
        }
    }

    private void writeUsers(int count, Csv out) throws IOException {
        List<String> earlier = new ArrayList<>();
        Set<String> emails = new HashSet<>();
        for (int id = 1; id <= count; id++) {
            String username = !earlier.isEmpty() && random.nextDouble() < REPEATED_USERNAME
                    ? earlier.get(random.nextInt(earlier.size()))
                    : word(faker.word().adjective()) + word(faker.word().noun()) + (10 + random.nextInt(90));
            if (username.length() > User.MAX_USERNAME_LENGTH) {
                username = username.substring(0, User.MAX_USERNAME_LENGTH);
            }
            if (earlier.size() < 10_000) {
                earlier.add(username);
            }
            String domain = DOMAINS.get(random.nextInt(DOMAINS.size()));
            String email = username + "@" + domain;
            if (!emails.add(email)) {
                email = username + "." + id + "@" + domain;
                emails.add(email);
            }
            out.printRecord(id, username, email, timestamp(USERS_FROM, 730));
        }
    }

    private void writeUrlsAndEvents(Sizes sizes, Csv urls, Csv events) throws IOException {
        int[] owners = new int[sizes.urls()];
        LocalDateTime[] created = new LocalDateTime[sizes.urls()];
        Set<String> codes = new HashSet<>();
        int eventId = 0;
        for (int id = 1; id <= sizes.urls(); id++) {
            int owner = sizes.users() == 0 ? 0 : 1 + random.nextInt(sizes.users());
            String code = shortCode(codes);
            String url = "https://" + DOMAINS.get(random.nextInt(DOMAINS.size())) + "/"
                    + word(faker.word().noun()) + "/" + word(faker.word().noun()) + "/" + id;
            String title = capitalize(word(faker.word().noun())) + " "
                    + word(faker.word().noun()) + " " + word(faker.word().noun());
            LocalDateTime createdAt = URLS_FROM.plusSeconds(random.nextLong(300L * DAY));
            LocalDateTime updatedAt = createdAt.plusSeconds(random.nextLong(200L * DAY));
            urls.printRecord(
                    id,
                    owner == 0 ? "" : owner,
                    code,
                    url,
                    title,
                    random.nextDouble() < 0.82 ? "True" : "False",
                    TIMESTAMP.format(createdAt),
                    TIMESTAMP.format(updatedAt));
            owners[id - 1] = owner;
            created[id - 1] = createdAt;
            if (eventId < sizes.events()) {
                ObjectNode details = JSON.createObjectNode();
                details.put("short_code", code);
                details.put("original_url", url);
                events.printRecord(
                        ++eventId, id, owner == 0 ? "" : owner, "created", TIMESTAMP.format(createdAt), json(details));
            }
        }
        while (eventId < sizes.events()) {
            int url = random.nextInt(sizes.urls());
            ObjectNode details = JSON.createObjectNode();
            String type;
            if (random.nextDouble() < 0.85) {
                type = "updated";
                details.put("field", UPDATED_FIELDS.get(random.nextInt(UPDATED_FIELDS.size())));
                details.put("new_value", word(faker.word().adjective()));
            } else {
                type = "deleted";
                details.put("reason", DELETE_REASONS.get(random.nextInt(DELETE_REASONS.size())));
            }
            LocalDateTime at = created[url].plusSeconds(1 + random.nextLong(200L * DAY));
            events.printRecord(
                    ++eventId, url + 1, owners[url] == 0 ? "" : owners[url], type, TIMESTAMP.format(at), json(details));
        }
    }

    private String shortCode(Set<String> taken) {
        while (true) {
            StringBuilder code = new StringBuilder(6);
            for (int i = 0; i < 6; i++) {
                code.append(BASE62.charAt(random.nextInt(BASE62.length())));
            }
            if (!ShortCode.isReserved(code.toString()) && taken.add(code.toString())) {
                return code.toString();
            }
        }
    }

    private String timestamp(LocalDateTime from, int days) {
        return TIMESTAMP.format(from.plusSeconds(random.nextLong((long) days * DAY)));
    }

    private static String json(ObjectNode node) {
        return JSON.writeValueAsString(node);
    }

    /** Lower-case letters only, so names and e-mail addresses stay plain. */
    private static String word(String text) {
        String letters = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
        return letters.isEmpty() ? "item" : letters;
    }

    private static String capitalize(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
}
