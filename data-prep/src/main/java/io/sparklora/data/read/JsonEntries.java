package io.sparklora.data.read;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** Streams the elements of a JSON array (top level, or under a top-level field) with their line numbers. */
final class JsonEntries {

    record Entry(long line, JsonNode node) {}

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonEntries() {}

    /**
     * @param field {@code null} for a top-level array, else the top-level object field holding it
     */
    static List<Entry> read(String file, InputStream in, String field) throws IOException {
        try (JsonParser p = MAPPER.getFactory().createParser(in)) {
            JsonToken t = p.nextToken();
            if (field != null) {
                if (t != JsonToken.START_OBJECT) {
                    throw new IOException(file + ": expected a JSON object with field '" + field + "'");
                }
                boolean found = false;
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    t = p.nextToken();
                    if (field.equals(name)) {
                        found = true;
                        break;
                    }
                    p.skipChildren();
                }
                if (!found) {
                    throw new IOException(file + ": no top-level field '" + field + "'");
                }
            }
            if (t != JsonToken.START_ARRAY) {
                throw new IOException(file + ": expected a JSON array"
                        + (field == null ? "" : " in field '" + field + "'") + " at line "
                        + p.currentTokenLocation().getLineNr());
            }
            List<Entry> entries = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                long line = p.currentTokenLocation().getLineNr();
                JsonNode node = MAPPER.readTree(p);
                entries.add(new Entry(line, node));
            }
            return entries;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": invalid JSON: " + e.getOriginalMessage() + " at line "
                    + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()), e);
        }
    }

    static String text(JsonNode n) {
        return n == null || !n.isTextual() ? null : n.asText();
    }
}
