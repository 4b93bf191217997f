package io.sparklora.job.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns a run's metric rows into chart series and the final-metrics table.
 *
 * <p>A series is one (task, adapter, split, metric); its id is {@code task/split/metric}, or
 * {@code task@adapter/split/metric} when the task trained more than one adapter. A step logged twice (a
 * resumed run repeats steps after its last checkpoint) keeps the row written last.
 */
public final class ReportModel {
    /** The training split and its metrics, charted in the "Training" section. */
    public static final String TRAIN = "train";
    public static final String LOSS = "loss";
    public static final String LEARNING_RATE = "learning_rate";
    public static final String TOKENS_PER_SECOND = "tokens_per_second";

    private final List<Series> series;

    private ReportModel(List<Series> series) {
        this.series = List.copyOf(series);
    }

    public static ReportModel of(List<MetricPoint> points) {
        Map<String, Set<String>> adaptersByTask = new HashMap<>();
        for (MetricPoint p : points) {
            adaptersByTask.computeIfAbsent(p.task(), t -> new HashSet<>()).add(p.adapter());
        }
        record Key(String task, String adapter, String split, String metric) {}
        Map<Key, TreeMap<Long, MetricPoint>> grouped = new LinkedHashMap<>();
        for (MetricPoint p : points) {
            TreeMap<Long, MetricPoint> bySteps = grouped.computeIfAbsent(
                    new Key(p.task(), p.adapter(), p.split(), p.metric()), k -> new TreeMap<>());
            bySteps.merge(p.step(), p, ReportModel::later);
        }
        List<Series> out = new ArrayList<>();
        grouped.forEach((k, bySteps) -> {
            boolean severalAdapters = adaptersByTask.get(k.task()).size() > 1;
            String who = severalAdapters ? k.task() + "@" + k.adapter() : k.task();
            long[] steps = new long[bySteps.size()];
            double[] values = new double[bySteps.size()];
            int i = 0;
            for (MetricPoint p : bySteps.values()) {
                steps[i] = p.step();
                values[i++] = p.value();
            }
            out.add(new Series(who + "/" + k.split() + "/" + k.metric(), k.task(), k.adapter(), k.split(), k.metric(),
                    steps, values));
        });
        out.sort(Comparator.comparing(Series::task).thenComparing(Series::adapter)
                .thenComparing(s -> splitOrder(s.split())).thenComparing(Series::split).thenComparing(Series::metric));
        return new ReportModel(out);
    }

    private static MetricPoint later(MetricPoint a, MetricPoint b) {
        if (a.time() == null || b.time() == null) {
            return b;
        }
        return b.time().isBefore(a.time()) ? a : b;
    }

    private static int splitOrder(String split) {
        return switch (split) {
            case TRAIN -> 0;
            case "dev", "validation" -> 1;
            case "test" -> 2;
            default -> 3;
        };
    }

    public List<Series> series() {
        return series;
    }

    /** Training series of one metric (e.g. every task's loss), for one chart. */
    public List<Series> training(String metric) {
        return series.stream().filter(s -> s.split().equals(TRAIN) && s.metric().equals(metric)).toList();
    }

    /** Training metrics other than loss and learning rate that were logged (tokens/s and any extras). */
    public List<String> otherTrainingMetrics() {
        return series.stream().filter(s -> s.split().equals(TRAIN))
                .map(Series::metric).filter(m -> !m.equals(LOSS) && !m.equals(LEARNING_RATE))
                .distinct().sorted(Comparator.comparing((String m) -> !m.equals(TOKENS_PER_SECOND))
                        .thenComparing(Comparator.naturalOrder()))
                .toList();
    }

    /**
     * Evaluation series grouped for charts: task (with adapter when several) -> metric -> its splits' series.
     * Metrics of one task share no chart because their scales differ (BLEU in [0,1], NIST around 8).
     */
    public Map<String, Map<String, List<Series>>> evaluationByTask() {
        Map<String, Map<String, List<Series>>> out = new LinkedHashMap<>();
        for (Series s : series) {
            if (s.split().equals(TRAIN)) {
                continue;
            }
            String who = s.id().substring(0, s.id().indexOf('/'));
            out.computeIfAbsent(who, k -> new LinkedHashMap<>())
                    .computeIfAbsent(s.metric(), k -> new ArrayList<>()).add(s);
        }
        return out;
    }

    /** The final-metrics table: every series' value at its last step, evaluation splits first. */
    public List<Series> finalRows() {
        List<Series> rows = new ArrayList<>(series.stream().filter(s -> !s.split().equals(TRAIN)).toList());
        rows.addAll(series.stream().filter(s -> s.split().equals(TRAIN)).toList());
        return rows;
    }

    public long maxStep() {
        return series.stream().mapToLong(Series::lastStep).max().orElse(0);
    }
}
