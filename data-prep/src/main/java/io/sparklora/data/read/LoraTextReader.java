package io.sparklora.data.read;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;

/**
 * Reads microsoft/LoRA's {@code MR||reference} text files ({@code examples/NLG/data/e2e/*.txt}) the way
 * its {@code src/format_converting_e2e.py} does: the line is stripped of surrounding whitespace and split
 * on {@code ||}; the context is the part before, the completion the part after (so the trailing space of
 * each LoRA line is dropped). A line without exactly one {@code ||}, or with an empty side, is rejected.
 */
public final class LoraTextReader implements ExampleReader {

    public static final String SEPARATOR = "||";

    @Override
    public Iterator<ParsedRow> read(String file, InputStream in) throws IOException {
        LineSource lines = new LineSource(in);
        PromptIds prompts = new PromptIds();
        return lines.rows(file, (lineNo, i, raw) -> {
            if (LineSource.hasInvalidUtf8(raw)) {
                return reject(file, lineNo, "invalid UTF-8", raw);
            }
            String line = raw.strip();
            int sep = line.indexOf(SEPARATOR);
            if (sep < 0) {
                return reject(file, lineNo, "no '||' separator between MR and reference", raw);
            }
            if (line.indexOf(SEPARATOR, sep + SEPARATOR.length()) >= 0) {
                return reject(file, lineNo, "more than one '||' separator", raw);
            }
            String context = line.substring(0, sep);
            String completion = line.substring(sep + SEPARATOR.length());
            if (context.isBlank()) {
                return reject(file, lineNo, "empty MR before '||'", raw);
            }
            if (completion.isBlank()) {
                return reject(file, lineNo, "empty reference after '||'", raw);
            }
            return ParsedRow.ok(new Example(file, lineNo, i, context, completion, Example.NO_LABEL, Float.NaN,
                    prompts.of(context)));
        });
    }

    private static ParsedRow reject(String file, long lineNo, String reason, String raw) {
        return ParsedRow.rejected(Reject.of(file, lineNo, reason, raw));
    }
}
