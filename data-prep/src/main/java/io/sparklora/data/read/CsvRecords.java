package io.sparklora.data.read;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal RFC 4180 CSV reader for the E2E files: comma separators, {@code "}-quoted fields with
 * {@code ""} escapes, CRLF or LF record ends, and line breaks inside quoted fields (two E2E training
 * references hold one). It reports the physical line where each record starts.
 */
final class CsvRecords implements AutoCloseable {

    /** One CSV record; {@code error} is non-null when it is malformed (for example an unclosed quote). */
    record Row(long line, List<String> fields, String raw, String error) {}

    private final PushbackReader in;
    private long line = 1;
    private boolean first = true;

    CsvRecords(InputStream stream) {
        Reader r = new InputStreamReader(stream, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE));
        this.in = new PushbackReader(r, 2);
    }

    /** The next record, or {@code null} at the end of input. */
    Row next() throws IOException {
        int c = in.read();
        if (first) {
            first = false;
            if (c == '\uFEFF') {
                c = in.read();
            }
        }
        if (c < 0) {
            return null;
        }
        long start = line;
        List<String> fields = new ArrayList<>();
        StringBuilder raw = new StringBuilder();
        StringBuilder field = new StringBuilder();
        String error = null;
        boolean quoted = false;
        boolean fieldStart = true;
        while (true) {
            if (c < 0) {
                if (quoted) {
                    error = "unclosed quote";
                }
                break;
            }
            if (quoted) {
                raw.append((char) c);
                if (c == '"') {
                    int d = in.read();
                    if (d == '"') {
                        raw.append('"');
                        field.append('"');
                    } else {
                        quoted = false;
                        if (d >= 0) {
                            in.unread(d);
                        }
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append((char) c);
                }
            } else if (c == '"' && fieldStart) {
                raw.append('"');
                quoted = true;
                fieldStart = false;
            } else if (c == ',') {
                raw.append(',');
                fields.add(field.toString());
                field.setLength(0);
                fieldStart = true;
            } else if (c == '\r' || c == '\n') {
                if (c == '\r') {
                    int d = in.read();
                    if (d != '\n' && d >= 0) {
                        in.unread(d);
                    }
                }
                line++;
                break;
            } else {
                if (c == '"' && error == null) {
                    error = "quote character inside an unquoted field";
                }
                raw.append((char) c);
                field.append((char) c);
                fieldStart = false;
            }
            c = in.read();
        }
        fields.add(field.toString());
        return new Row(start, fields, raw.toString(), error);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
