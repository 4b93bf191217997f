package io.sparklora.data.read;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads WebNLG 2017 JSON as microsoft/LoRA's {@code src/format_converting_webnlg.py} does: entries
 * {@code {"<n>": {...}}}; the {@code modifiedtripleset} becomes {@code subject : property : object} items
 * joined by {@code " | "}; every lexicalisation whose {@code comment} is {@code good} is one example
 * ({@code lex} as completion). LoRA drops the other lexicalisations; here they are reported as rejects so
 * nothing disappears silently (10 of 2268 in the dev set, under the default 1% reject limit).
 */
public final class WebNlgJsonReader implements ExampleReader {

    @Override
    public Iterator<ParsedRow> read(String file, InputStream in) throws IOException {
        List<ParsedRow> rows = new ArrayList<>();
        long index = 0;
        long promptId = 0;
        for (JsonEntries.Entry e : JsonEntries.read(file, in, "entries")) {
            JsonNode entry = e.node();
            String raw = DartJsonReader.abbreviate(entry);
            if (!entry.isObject() || entry.size() != 1) {
                rows.add(ParsedRow.rejected(Reject.of(file, e.line(), "entry is not {\"<n>\": {...}}", raw)));
                index++;
                continue;
            }
            Map.Entry<String, JsonNode> only = entry.fields().next();
            JsonNode body = only.getValue();
            String context = linearize(body.get("modifiedtripleset"));
            JsonNode lexs = body.get("lexicalisations");
            if (context == null) {
                rows.add(ParsedRow.rejected(Reject.of(file, e.line(),
                        "malformed modifiedtripleset in entry " + only.getKey(), raw)));
                index++;
                continue;
            }
            if (lexs == null || !lexs.isArray() || lexs.isEmpty()) {
                rows.add(ParsedRow.rejected(Reject.of(file, e.line(), "no lexicalisations in entry " + only.getKey(),
                        raw)));
                index++;
                continue;
            }
            for (JsonNode lex : lexs) {
                String comment = JsonEntries.text(lex.get("comment"));
                String text = JsonEntries.text(lex.get("lex"));
                if (!"good".equals(comment)) {
                    rows.add(ParsedRow.rejected(Reject.of(file, e.line(), "lexicalisation " + lex.path("xml_id").asText()
                            + " of entry " + only.getKey() + " has comment '" + comment
                            + "' (microsoft/LoRA keeps only 'good')", lex.toString())));
                } else if (text == null || text.isBlank()) {
                    rows.add(ParsedRow.rejected(Reject.of(file, e.line(), "empty lexicalisation in entry "
                            + only.getKey(), lex.toString())));
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
            String s = JsonEntries.text(t.get("subject"));
            String p = JsonEntries.text(t.get("property"));
            String o = JsonEntries.text(t.get("object"));
            if (s == null || p == null || o == null) {
                return null;
            }
            if (sb.length() > 0) {
                sb.append(" | ");
            }
            sb.append(s).append(" : ").append(p).append(" : ").append(o);
        }
        return sb.toString();
    }
}
