package dev.shortener.importing.cli;

import dev.shortener.importing.csv.CsvFile;
import dev.shortener.importing.job.CsvImporter;
import dev.shortener.importing.job.ImportReport;
import dev.shortener.importing.load.Entity;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import org.apache.commons.io.input.BoundedInputStream;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The jar's commands besides serving HTTP.
 *
 * <ul>
 *   <li>{@code import FILE…} loads users, urls and events files (told apart by their header, else
 *       their name; loaded in that order) into the configured database with no web server, prints
 *       a summary per file and exits 0 when every row was imported, 1 otherwise.
 *   <li>{@code generate [--users N] [--urls M] [--events K] [--out DIR] [--seed S]} writes the
 *       three files with the seed files' quirks.
 * </ul>
 *
 * Options of the form {@code --name=value} are passed to Spring as settings.
 */
public final class Cli {

    private static final int ERRORS_SHOWN = 20;
    private static final String USAGE = """
            usage: java -jar shortener.jar import FILE... [--spring.setting=value...]
                   java -jar shortener.jar generate [--users N] [--urls M] [--events K] [--out DIR] [--seed S]""";

    private final PrintStream out;
    private final PrintStream err;

    Cli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Whether the arguments name a command rather than starting the server. */
    public static boolean handles(String[] args) {
        return args.length > 0 && (args[0].equals("import") || args[0].equals("generate"));
    }

    /** Runs the command; the result is the process exit status (2 for a usage error). */
    public static int run(Class<?> application, String[] args) {
        Cli cli = new Cli(System.out, System.err);
        List<String> rest = List.of(args).subList(1, args.length);
        try {
            return args[0].equals("import") ? cli.importFiles(application, rest) : cli.generate(rest);
        } catch (IllegalArgumentException e) {
            cli.err.println(e.getMessage());
            cli.err.println(USAGE);
            return 2;
        }
    }

    int importFiles(Class<?> application, List<String> args) {
        List<String> settings = args.stream().filter(a -> a.startsWith("--")).toList();
        Map<Path, Entity> files = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                Path path = Path.of(arg);
                files.put(path, entityOf(path));
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("import: name at least one CSV file");
        }
        List<String> springArgs = new ArrayList<>(settings);
        springArgs.add("--spring.main.web-application-type=none");
        springArgs.add("--shortener.demo-data=false");
        // the command imports in its own thread; this process takes no chunks of other jobs
        springArgs.add("--shortener.importing.worker.enabled=false");
        springArgs.add("--spring.main.log-startup-info=false");
        // the terminal shows the progress line and the summaries; warnings and errors still print
        if (settings.stream().noneMatch(s -> s.startsWith("--logging.level.root"))) {
            springArgs.add("--logging.level.root=WARN");
        }
        if (settings.stream().noneMatch(s -> s.startsWith("--logging.level.dev.shortener"))) {
            springArgs.add("--logging.level.dev.shortener=WARN");
        }
        boolean complete = true;
        try (ConfigurableApplicationContext context =
                SpringApplication.run(application, springArgs.toArray(String[]::new))) {
            CsvImporter importer = context.getBean(CsvImporter.class);
            List<Map.Entry<Path, Entity>> ordered = files.entrySet().stream()
                    .sorted(Comparator.comparing(Map.Entry::getValue))
                    .toList();
            for (Map.Entry<Path, Entity> file : ordered) {
                complete &= importFile(importer, file.getKey(), file.getValue());
            }
        }
        return complete ? 0 : 1;
    }

    @SuppressWarnings("try") // the progress line is drawn while the body runs, then cleared
    private boolean importFile(CsvImporter importer, Path path, Entity entity) {
        long start = System.nanoTime();
        ImportReport report;
        AtomicLong rows = new AtomicLong();
        try (BoundedInputStream in = BoundedInputStream.builder()
                        .setInputStream(Files.newInputStream(path))
                        .get();
                TerminalProgress progress = TerminalProgress.start(
                        path.getFileName().toString(), out, rows::get, share(in, Files.size(path)))) {
            report = importer.importFile(entity, in, path.getFileName().toString(), Files.size(path), rows::addAndGet);
        } catch (IOException e) {
            err.println(path + ": cannot be read: " + e.getMessage());
            return false;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(
                "%s (%s): imported %d, failed %d in %.2f s%n",
                path, entity.table(), report.imported(), report.failed(), seconds);
        report.errors().stream().limit(ERRORS_SHOWN).forEach(e -> out.printf("  line %d: %s%n", e.line(), e.message()));
        if (report.failed() > ERRORS_SHOWN) {
            out.printf("  … and %d more%n", report.failed() - ERRORS_SHOWN);
        }
        return report.failed() == 0;
    }

    /** The share of a file read so far. */
    private static DoubleSupplier share(BoundedInputStream in, long size) {
        return () -> size == 0 ? 1 : in.getCount() / (double) size;
    }

    /** The entity of a file, from its header or else its name. */
    private static Entity entityOf(Path path) {
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException(path + ": no such readable file");
        }
        List<String> header = List.of();
        try (CsvFile file = new CsvFile(Files.newBufferedReader(path, StandardCharsets.UTF_8))) {
            CsvFile.Record first = file.header();
            if (first != null) {
                header = first.values();
            }
        } catch (IOException | CsvFile.Malformed | RuntimeException e) {
            // the import reports what is wrong with the file
        }
        return Entity.infer(header, path.getFileName().toString())
                .orElseThrow(() -> new IllegalArgumentException(
                        path + ": cannot tell users, urls or events apart by its header or name"));
    }

    @SuppressWarnings("try") // the progress line is drawn while the body runs, then cleared
    int generate(List<String> args) {
        Map<String, String> options = options(args, List.of("--users", "--urls", "--events", "--out", "--seed"));
        SeedGenerator.Sizes sizes = new SeedGenerator.Sizes(
                intOption(options, "--users", 400),
                intOption(options, "--urls", 2000),
                intOption(options, "--events", 3500));
        long seed = longOption(options, "--seed", 1);
        Path dir = Path.of(options.getOrDefault("--out", "generated"));
        long start = System.nanoTime();
        LongAdder written = new LongAdder();
        long total = (long) sizes.users() + sizes.urls() + sizes.events();
        List<Path> files;
        try (TerminalProgress progress = TerminalProgress.start(
                "generate", out, written::sum, () -> total == 0 ? 1 : written.sum() / (double) total)) {
            files = SeedGenerator.writeFiles(sizes, seed, dir, written);
        } catch (IOException e) {
            err.println("generate: cannot write to " + dir + ": " + e.getMessage());
            return 1;
        }
        out.printf(
                "wrote %s (%d users, %d urls, %d events, seed %d) in %.2f s%n",
                files, sizes.users(), sizes.urls(), sizes.events(), seed, (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /** {@code --name value} or {@code --name=value} pairs; an unknown name is a usage error. */
    private static Map<String, String> options(List<String> args, List<String> known) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown argument " + arg);
            }
            if (arg.contains("=")) {
                options.put(name, arg.substring(arg.indexOf('=') + 1));
            } else if (i + 1 < args.size()) {
                options.put(name, args.get(++i));
            } else {
                throw new IllegalArgumentException(arg + " needs a value");
            }
        }
        return options;
    }

    private static int intOption(Map<String, String> options, String name, int fallback) {
        long value = longOption(options, name, fallback);
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be from 0 to " + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    private static long longOption(Map<String, String> options, String name, long fallback) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, not " + value);
        }
    }
}
