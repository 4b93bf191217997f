package io.sparklora.data.read;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads text split on {@code '\n'} only (a trailing {@code '\r'} is removed), strips a leading UTF-8 BOM,
 * counts physical lines, and does not report an empty line after a final newline. Unlike
 * {@code BufferedReader.readLine} it never splits on a lone {@code '\r'}, which GLUE fields could hold.
 * Invalid UTF-8 bytes are decoded as U+FFFD; readers reject such lines (see {@link #hasInvalidUtf8}).
 */
final class LineSource implements AutoCloseable {
    private final Reader reader;
    private final char[] buf = new char[1 << 16];
    private int pos;
    private int len;
    private long lineNumber;
    private boolean first = true;
    private boolean eof;

    LineSource(InputStream in) {
        this.reader = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE));
    }

    /** Whether {@code text} holds U+FFFD, the mark of bytes that were not valid UTF-8. */
    static boolean hasInvalidUtf8(String text) {
        return text.indexOf('\uFFFD') >= 0;
    }

    /** Parses one line: its 1-based line number, its 0-based record index, its text. */
    @FunctionalInterface
    interface LineParser {
        ParsedRow parse(long lineNo, long index, String line);
    }

    /** The remaining lines as parsed rows; an I/O error names the file and the last line read. */
    java.util.Iterator<ParsedRow> rows(String file, LineParser parser) {
        return new java.util.Iterator<>() {
            private String nextLine = advance();
            private long index;

            private String advance() {
                try {
                    return LineSource.this.next();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("reading " + file + " after line " + lineNumber, e);
                }
            }

            @Override
            public boolean hasNext() {
                return nextLine != null;
            }

            @Override
            public ParsedRow next() {
                if (nextLine == null) {
                    throw new java.util.NoSuchElementException();
                }
                String line = nextLine;
                long lineNo = lineNumber;
                nextLine = advance();
                return parser.parse(lineNo, index++, line);
            }
        };
    }

    /** The line number of the line last returned (1-based). */
    long lineNumber() {
        return lineNumber;
    }

    /** The next line without its terminator, or {@code null} at the end. */
    String next() throws IOException {
        if (eof) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        boolean any = false;
        while (true) {
            if (pos == len) {
                len = reader.read(buf, 0, buf.length);
                pos = 0;
                if (len <= 0) {
                    eof = true;
                    len = 0;
                    if (!any) {
                        return null;
                    }
                    break;
                }
            }
            any = true;
            int start = pos;
            while (pos < len && buf[pos] != '\n') {
                pos++;
            }
            sb.append(buf, start, pos - start);
            if (pos < len) {
                pos++; // consume '\n'
                break;
            }
        }
        lineNumber++;
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) == '\r') {
            sb.setLength(sb.length() - 1);
        }
        if (first) {
            first = false;
            if (sb.length() > 0 && sb.charAt(0) == '\uFEFF') {
                sb.deleteCharAt(0);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
