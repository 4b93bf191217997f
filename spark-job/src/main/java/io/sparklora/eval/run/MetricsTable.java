package io.sparklora.eval.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** The console summary at the end of a job: the final value of each metric as a plain-text table. */
public final class MetricsTable {
    static final String[] HEADER = {"task", "adapter", "split", "step", "metric", "value"};

    private MetricsTable() {}

    /**
     * For each (task, adapter, split, metric) the row with the highest step (the later time on a tie),
     * in the order those keys first appear in {@code rows}.
     */
    public static List<MetricRow> finalRows(List<MetricRow> rows) {
        Objects.requireNonNull(rows, "rows");
        Map<List<String>, MetricRow> last = new LinkedHashMap<>();
        for (MetricRow r : rows) {
            Objects.requireNonNull(r, "metric row");
            last.merge(List.of(r.task(), r.adapter(), r.split(), r.metric()), r, (a, b) ->
                    b.step() > a.step() || (b.step() == a.step() && !b.time().isBefore(a.time())) ? b : a);
        }
        return new ArrayList<>(last.values());
    }

    /** Renders {@link #finalRows} as aligned columns; values with 4 decimals. */
    public static String format(List<MetricRow> rows) {
        List<MetricRow> fin = finalRows(rows);
        if (fin.isEmpty()) {
            return "(no metrics)\n";
        }
        List<String[]> cells = new ArrayList<>();
        cells.add(HEADER);
        for (MetricRow r : fin) {
            cells.add(new String[] {r.task(), r.adapter(), r.split(), Long.toString(r.step()), r.metric(),
                String.format(Locale.ROOT, "%.4f", r.value())});
        }
        int[] width = new int[HEADER.length];
        for (String[] row : cells) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            line(sb, cells.get(i), width);
            if (i == 0) {
                String[] rule = new String[width.length];
                for (int c = 0; c < width.length; c++) {
                    rule[c] = "-".repeat(width[c]);
                }
                line(sb, rule, width);
            }
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String[] row, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int c = 0; c < row.length; c++) {
            boolean numeric = c == 3 || c == 5; // step and value right-aligned
            String cell = row[c];
            String pad = " ".repeat(width[c] - cell.length());
            l.append(numeric ? pad + cell : cell + pad);
            if (c + 1 < row.length) {
                l.append("  ");
            }
        }
        sb.append(l.toString().stripTrailing()).append('\n');
    }
}
