package io.sparklora.data.read;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * Reads the official E2E CSVs: {@code trainset.csv}, {@code devset.csv}, {@code testset_w_refs.csv}
 * (header {@code mr,ref}; one row per reference, so a multi-reference MR spans several rows) and
 * {@code testset.csv} (header {@code MR}; inputs only, {@code textB == null}). The MR is linearised by
 * {@link E2eLinearizer}.
 */
public final class E2eCsvReader implements ExampleReader {

    @Override
    public Iterator<ParsedRow> read(String file, InputStream in) throws IOException {
        CsvRecords csv = new CsvRecords(in);
        CsvRecords.Row header = csv.next();
        if (header == null) {
            return java.util.Collections.emptyIterator();
        }
        List<String> h = header.fields().stream().map(s -> s.strip().toLowerCase(Locale.ROOT)).toList();
        boolean withRefs;
        if (h.equals(List.of("mr", "ref"))) {
            withRefs = true;
        } else if (h.equals(List.of("mr"))) {
            withRefs = false;
        } else {
            throw new IOException(file + " line 1: expected an E2E CSV header 'mr,ref' or 'MR', got '"
                    + GlueTsvReader.abbreviate(header.raw()) + "'");
        }
        int columns = withRefs ? 2 : 1;
        PromptIds prompts = new PromptIds();
        return new Iterator<>() {
            private CsvRecords.Row next = advance();
            private long index;

            private CsvRecords.Row advance() {
                try {
                    return csv.next();
                } catch (IOException e) {
                    throw new UncheckedIOException("reading " + file, e);
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public ParsedRow next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                CsvRecords.Row row = next;
                next = advance();
                long i = index++;
                if (row.error() != null) {
                    return reject(row, "malformed CSV: " + row.error());
                }
                if (LineSource.hasInvalidUtf8(row.raw())) {
                    return reject(row, "invalid UTF-8");
                }
                if (row.fields().size() != columns) {
                    return reject(row, "wrong column count: " + row.fields().size() + " fields, expected " + columns);
                }
                String context = E2eLinearizer.linearize(row.fields().get(0));
                if (context == null) {
                    return reject(row, "malformed MR: expected 'key[value], key[value], ...'");
                }
                String ref = null;
                if (withRefs) {
                    ref = row.fields().get(1).strip();
                    if (ref.isEmpty()) {
                        return reject(row, "empty reference");
                    }
                }
                return ParsedRow.ok(new Example(file, row.line(), i, context, ref, Example.NO_LABEL, Float.NaN,
                        prompts.of(context)));
            }

            private ParsedRow reject(CsvRecords.Row row, String reason) {
                return ParsedRow.rejected(Reject.of(file, row.line(), reason, row.raw()));
            }
        };
    }
}
