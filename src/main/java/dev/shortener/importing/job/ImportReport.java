package dev.shortener.importing.job;

import dev.shortener.importing.load.RowFailure;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * The outcome of importing one file: rows imported ({@code count} repeats it), rows that failed,
 * and the failures by line (the first {@code shortener.importing.max-reported-errors} of them).
 */
@Schema(name = "ImportReport", example = """
        {"imported":399,"count":399,"failed":1,"errors":[{"line":7,"message":"email must be a valid e-mail address"}]}""")
public record ImportReport(long imported, long count, long failed, List<RowFailure> errors) {

    ImportReport(long imported, long failed, List<RowFailure> errors) {
        this(imported, imported, failed, List.copyOf(errors));
    }

    /** True when the file had something to import and none of it could be. */
    public boolean nothingImported() {
        return imported == 0 && !errors.isEmpty();
    }
}
