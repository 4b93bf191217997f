package io.sparklora.data.read;

import io.sparklora.data.task.GlueTask;
import io.sparklora.data.task.TaskType;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;

/**
 * Reads a GLUE TSV: raw lines split on {@code '\t'} with no quote processing (fields hold unbalanced
 * {@code "}), an optional BOM (MRPC), a header line for every task but CoLA's train/dev. Rows with a wrong
 * field count, an empty text, or a missing or unknown label become {@link Reject}s.
 */
public final class GlueTsvReader implements ExampleReader {

    private final GlueTask task;
    private final String split;
    private final GlueTask.Layout layout;

    public GlueTsvReader(GlueTask task, String split) {
        if (task == null || split == null || split.isBlank()) {
            throw new IllegalArgumentException("task and split are required, got " + task + " / " + split);
        }
        this.task = task;
        this.split = split;
        this.layout = task.layout(split);
    }

    @Override
    public Iterator<ParsedRow> read(String file, InputStream in) throws IOException {
        LineSource lines = new LineSource(in);
        if (task.hasHeader(split)) {
            String header = lines.next();
            if (header == null) {
                return java.util.Collections.emptyIterator();
            }
            int n = header.split("\t", -1).length;
            if (n < layout.minColumns() || n > layout.maxColumns()) {
                throw new IOException(file + " line 1: header has " + n + " tab-separated fields, "
                        + task.dirName() + " " + split + " expects " + layout.describeColumns()
                        + " (is this the right task/split?): " + abbreviate(header));
            }
        }
        return lines.rows(file, (lineNo, index, line) -> parse(file, lineNo, index, line));
    }

    /** Parses one data line (package-visible for tests). */
    ParsedRow parse(String file, long lineNo, long index, String line) {
        if (LineSource.hasInvalidUtf8(line)) {
            return reject(file, lineNo, "invalid UTF-8", line);
        }
        if (line.isEmpty()) {
            return reject(file, lineNo, "empty line", line);
        }
        String[] f = line.split("\t", -1);
        if (f.length < layout.minColumns() || f.length > layout.maxColumns()) {
            return reject(file, lineNo, "wrong column count: " + f.length + " tab-separated fields, expected "
                    + layout.describeColumns(), line);
        }
        String a = f[layout.textA()];
        if (a.isBlank()) {
            return reject(file, lineNo, "empty text (field " + (layout.textA() + 1) + ")", line);
        }
        String b = null;
        if (layout.textB() >= 0) {
            b = f[layout.textB()];
            if (b.isBlank()) {
                return reject(file, lineNo, "empty second text (field " + (layout.textB() + 1) + ")", line);
            }
        }
        int label = Example.NO_LABEL;
        float score = Float.NaN;
        if (layout.labelled()) {
            int col = layout.label() == -1 ? f.length - 1 : layout.label();
            String raw = f[col].strip();
            if (raw.isEmpty()) {
                return reject(file, lineNo, "missing label (field " + (col + 1) + ")", line);
            }
            if (task.type() == TaskType.REGRESSION) {
                try {
                    score = Float.parseFloat(raw);
                } catch (NumberFormatException e) {
                    return reject(file, lineNo, "score '" + raw + "' is not a number", line);
                }
                if (!(score >= 0f && score <= 5f)) {
                    return reject(file, lineNo, "score " + raw + " outside [0, 5]", line);
                }
            } else {
                label = task.labels().indexOf(raw);
                if (label < 0) {
                    return reject(file, lineNo, "label '" + raw + "' not in " + task.labels(), line);
                }
            }
        }
        return ParsedRow.ok(new Example(file, lineNo, index, a, b, label, score, -1));
    }

    private static ParsedRow reject(String file, long line, String reason, String raw) {
        return ParsedRow.rejected(Reject.of(file, line, reason, raw));
    }

    static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
