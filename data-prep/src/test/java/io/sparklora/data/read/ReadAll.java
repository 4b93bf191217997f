package io.sparklora.data.read;

import io.sparklora.data.task.TaskDef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Test helper: reads a whole file through {@link Readers}. */
final class ReadAll {
    final List<Example> examples = new ArrayList<>();
    final List<Reject> rejects = new ArrayList<>();

    static ReadAll of(TaskDef task, String split, Path file) throws IOException {
        ReadAll r = new ReadAll();
        try (InputStream in = Files.newInputStream(file)) {
            Iterator<ParsedRow> it = Readers.forFile(task, split, file.getFileName().toString())
                    .read(file.toString(), in);
            while (it.hasNext()) {
                ParsedRow row = it.next();
                if (row.isReject()) {
                    r.rejects.add(row.reject());
                } else {
                    r.examples.add(row.example());
                }
            }
        }
        return r;
    }

    long countLabel(int label) {
        return examples.stream().filter(e -> e.label() == label).count();
    }
}
