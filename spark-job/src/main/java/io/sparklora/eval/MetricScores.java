package io.sparklora.eval;

import java.util.List;

/** A metric's corpus-level value and its per-segment values, in input order. */
public record MetricScores(double corpus, List<Double> segments) {
    public MetricScores {
        segments = List.copyOf(segments);
    }

    static MetricScores of(double corpus, double[] segments) {
        Double[] boxed = new Double[segments.length];
        for (int i = 0; i < segments.length; i++) {
            boxed[i] = segments[i];
        }
        return new MetricScores(corpus, List.of(boxed));
    }
}
