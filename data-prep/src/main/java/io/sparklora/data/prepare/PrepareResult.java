package io.sparklora.data.prepare;

import java.util.Map;

/**
 * Counts of one {@link PrepareJob} run per {@code task/split}: records read (examples and rejects),
 * rows written, records rejected ({@code read == written + rejected}).
 */
public record PrepareResult(String output, Map<String, Counts> counts) {

    public record Counts(long read, long written, long rejected) {
        public double rejectFraction() {
            return read == 0 ? 0 : (double) rejected / read;
        }
    }

    public Counts total() {
        long r = 0;
        long w = 0;
        long j = 0;
        for (Counts c : counts.values()) {
            r += c.read();
            w += c.written();
            j += c.rejected();
        }
        return new Counts(r, w, j);
    }

    /** One line per task/split and a total, for the command's output. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-24s %10s %10s %10s%n", "task/split", "read", "written", "rejected"));
        counts.forEach((k, c) -> sb.append(String.format("%-24s %10d %10d %10d%n", k, c.read(), c.written(), c.rejected())));
        Counts t = total();
        sb.append(String.format("%-24s %10d %10d %10d%n", "total", t.read(), t.written(), t.rejected()));
        return sb.toString();
    }
}
