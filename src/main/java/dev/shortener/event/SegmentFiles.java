package dev.shortener.event;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Creates the {@link ClickJournal}'s segment files: on {@link #DISK}, or in tests as files whose writes fail. */
interface SegmentFiles {

    SegmentFiles DISK = file -> FileChannel.open(file, CREATE_NEW, WRITE);

    FileChannel create(Path file) throws IOException;
}
