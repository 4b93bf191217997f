package io.sparklora.data.read;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Reads DART v1.1.1 JSON as microsoft/LoRA's {@code src/format_converting_dart.py} does: each entry's
 * {@code tripleset} becomes {@code subject : relation : object} items (relation lower-cased) joined by
 * {@code " | "}, and each of its {@code annotations} gives one example with {@code text} as completion.
 * An entry with a malformed triple set or no annotations is rejected once; an annotation with an empty
 * text is rejected on its own. Line numbers are those of the entry's opening brace.
 */
public final class DartJsonReader implements ExampleReader {

    @Override
    public Iterator<ParsedRow> read(String file, InputStream in) throws IOException {
        List<ParsedRow> rows = new ArrayList<>();
        long index = 0;
        long promptId = 0;
        for (JsonEntries.Entry e : JsonEntries.read(file, in, null)) {
            JsonNode triples = e.node().get("tripleset");
            JsonNode annotations = e.node().get("annotations");
            String context = linearize(triples);
            String raw = abbreviate(e.node());
            if (context == null) {
                rows.add(ParsedRow.rejected(Reject.of(file, e.line(),
                        "malformed tripleset: expected a non-empty list of [subject, relation, object]", raw)));
                index++;
                continue;
            }
            if (annotations == null || !annotations.isArray() || annotations.isEmpty()) {
                rows.add(ParsedRow.rejected(Reject.of(file, e.line(), "no annotations", raw)));
                index++;
                continue;
            }
            for (JsonNode a : annotations) {
                String text = JsonEntries.text(a.get("text"));
                if (text == null || text.isBlank()) {
                    rows.add(ParsedRow.rejected(Reject.of(file, e.line(), "empty annotation text", raw)));
                } else {
                    rows.add(ParsedRow.ok(new Example(file, e.line(), index, context, text, Example.NO_LABEL,
                            Float.NaN, promptId)));
                }
                index++;
            }
            promptId++;
        }
        return rows.iterator();
    }

    static String linearize(JsonNode triples) {
        if (triples == null || !triples.isArray() || triples.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode t : triples) {
            if (!t.isArray() || t.size() != 3) {
                return null;
            }
            String s = JsonEntries.text(t.get(0));
            String r = JsonEntries.text(t.get(1));
            String o = JsonEntries.text(t.get(2));
            if (s == null || r == null || o == null) {
                return null;
            }
            if (sb.length() > 0) {
                sb.append(" | ");
            }
            sb.append(s).append(" : ").append(r.toLowerCase(Locale.ROOT)).append(" : ").append(o);
        }
        return sb.toString();
    }

    static String abbreviate(JsonNode n) {
        return GlueTsvReader.abbreviate(n.toString());
    }
}
