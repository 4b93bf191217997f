package io.sparklora.eval;

import java.util.List;

/** Argument checks shared by the metric classes. */
final class MetricArgs {
    private MetricArgs() {}

    static void sameNonEmptyLength(int predictions, int labels) {
        if (predictions != labels) {
            throw new IllegalArgumentException(
                    "predictions and labels differ in length: " + predictions + " predictions, " + labels + " labels");
        }
        if (predictions == 0) {
            throw new IllegalArgumentException("no predictions: a metric needs at least one example");
        }
    }

    static void allFinite(double[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(what + "[" + i + "] is not a finite number: " + values[i]);
            }
        }
    }

    static <T> void noNulls(List<T> values, String what) {
        if (values == null) {
            throw new IllegalArgumentException(what + " is null");
        }
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null) {
                throw new IllegalArgumentException(what + "[" + i + "] is null");
            }
        }
    }
}
