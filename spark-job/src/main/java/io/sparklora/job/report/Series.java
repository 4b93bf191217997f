package io.sparklora.job.report;

import java.util.Arrays;
import java.util.Objects;

/**
 * The values of one metric of one task (and adapter) on one split, ordered by step: one line on a chart.
 * {@link #id()} names it in the page ({@code data-series="sst2/train/loss"}).
 */
public record Series(String id, String task, String adapter, String split, String metric, long[] steps,
                     double[] values) {
    public Series {
        Objects.requireNonNull(id, "id");
        if (steps.length != values.length) {
            throw new IllegalArgumentException(id + ": " + steps.length + " steps but " + values.length + " values");
        }
        for (int i = 1; i < steps.length; i++) {
            if (steps[i] <= steps[i - 1]) {
                throw new IllegalArgumentException(id + ": steps must increase, got " + steps[i - 1] + " then " + steps[i]);
            }
        }
    }

    public int size() {
        return steps.length;
    }

    public long lastStep() {
        return steps[steps.length - 1];
    }

    public double lastValue() {
        return values[values.length - 1];
    }

    /** What a legend shows: the task (and adapter when it is not the task's only one) and the split. */
    public String label(boolean withMetric) {
        String who = id.substring(0, id.indexOf('/'));
        return withMetric ? who + " " + split + " " + metric : who + " " + split;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Series s && id.equals(s.id) && Arrays.equals(steps, s.steps)
                && Arrays.equals(values, s.values);
    }

    @Override
    public int hashCode() {
        return id.hashCode() * 31 + Arrays.hashCode(steps);
    }

    @Override
    public String toString() {
        return "Series[" + id + ", " + steps.length + " points]";
    }
}
