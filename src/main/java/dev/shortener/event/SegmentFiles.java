package dev.shortener.event;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Creates the {@link ClickJournal}'s segment files and makes their names durable: on {@link #DISK},
 * or in tests on a disk that fails.
 */
interface SegmentFiles {

    SegmentFiles DISK = file -> FileChannel.open(file, CREATE_NEW, WRITE);

    FileChannel create(Path file) throws IOException;

    default void syncDirectory(Path directory) throws IOException {
        JournalSlot.syncDirectory(directory);
    }

    /**
     * Creates {@code file} in {@code directory} and syncs the directory. When the sync fails the file
     * is removed, since it is not known to last, so that the same segment can be created again.
     */
    default FileChannel createDurably(Path file, Path directory) throws IOException {
        FileChannel channel = create(file);
        try {
            syncDirectory(directory);
            return channel;
        } catch (IOException e) {
            try {
                channel.close();
                Files.deleteIfExists(file);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }
}
