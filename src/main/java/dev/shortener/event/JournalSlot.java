package dev.shortener.event;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A numbered directory under the journal root that one instance holds by a file lock, so that
 * replicas sharing the root never write to the same journal.
 */
final class JournalSlot {

    private static final int MAX_SLOTS = 256;
    /** Slots this JVM holds (several application contexts may run in one). */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path directory;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final UUID id;

    private JournalSlot(Path directory, FileChannel lockChannel, FileLock lock) throws IOException {
        this.directory = directory;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.id = readOrCreateId(directory.resolve("id"));
    }

    /**
     * Takes the first free slot under {@code root}, creating it when needed. One context of the JVM
     * at a time: one that lost a race would close its channel on the winner's lock file.
     */
    static synchronized JournalSlot take(Path root) throws IOException {
        Files.createDirectories(root);
        for (int slot = 0; slot < MAX_SLOTS; slot++) {
            Path directory = root.resolve(Integer.toString(slot)).toAbsolutePath();
            if (HELD.contains(directory)) {
                // closing a channel of our own on its lock file would release the lock (fcntl)
                continue;
            }
            Files.createDirectories(directory);
            FileChannel channel =
                    FileChannel.open(directory.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = tryLock(channel);
            if (lock != null) {
                HELD.add(directory);
                return new JournalSlot(directory, channel, lock);
            }
            channel.close();
        }
        throw new IllegalStateException("Every one of " + MAX_SLOTS + " click journal slots under "
                + root.toAbsolutePath() + " is held by a running instance");
    }

    private static @Nullable FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // held by another application context of this JVM
        }
    }

    private static UUID readOrCreateId(Path file) throws IOException {
        if (Files.exists(file)) {
            return UUID.fromString(
                    Files.readString(file, StandardCharsets.US_ASCII).strip());
        }
        UUID id = UUID.randomUUID();
        Path written = file.resolveSibling("id.tmp");
        try (FileChannel channel = FileChannel.open(
                written, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(id.toString().getBytes(StandardCharsets.US_ASCII)));
            channel.force(true);
        }
        Files.move(written, file, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(file.getParent());
        return id;
    }

    /** Makes a file created or renamed in {@code directory} survive a crash of the machine. */
    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Names the slot's journal in PostgreSQL, where its loaded position is kept. */
    UUID id() {
        return id;
    }

    Path directory() {
        return directory;
    }

    /** Gives the slot up to the next instance that starts. */
    void release() throws IOException {
        lock.release();
        lockChannel.close();
        HELD.remove(directory);
    }
}
