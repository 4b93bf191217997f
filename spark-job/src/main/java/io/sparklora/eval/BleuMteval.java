package io.sparklora.eval;

import java.util.List;

/**
 * BLEU-4 as NIST's mteval-v13a computes it for the E2E NLG Challenge: case-insensitive, default
 * tokenisation ({@link MtevalTokenization}), variable number of references, closest-reference brevity
 * penalty, and mteval's default smoothing (a zero n-gram match count counts as 1/2^k; an order with no
 * candidate n-grams counts as precision 1). Corpus BLEU pools the statistics of all segments.
 * Reference: tuetschek/e2e-metrics {@code mteval/mteval-v13a-sig.pl}: {@code score_system},
 * {@code score_document} and {@code bleu_score}; Papineni et al. (2002).
 */
public final class BleuMteval {
    private static final int ORDER = 4;

    private BleuMteval() {}

    /** Scores hypothesis i against references i; returns corpus and per-segment BLEU in [0, 1]. */
    public static MetricScores score(List<List<String>> references, List<String> hypotheses) {
        return score(MtevalStatistics.of(references, hypotheses));
    }

    static MetricScores score(MtevalStatistics stats) {
        List<MtevalStatistics.Segment> segments = stats.segments();
        double[] perSegment = new double[segments.size()];
        long refLength = 0;
        long[] match = new long[MtevalStatistics.MAX_N + 1];
        long[] tst = new long[MtevalStatistics.MAX_N + 1];
        for (int i = 0; i < segments.size(); i++) {
            MtevalStatistics.Segment s = segments.get(i);
            perSegment[i] = bleu(s.closestRefLength(), s.match(), s.tstCount());
            refLength += s.closestRefLength();
            for (int n = 1; n <= MtevalStatistics.MAX_N; n++) {
                match[n] += s.match()[n];
                tst[n] += s.tstCount()[n];
            }
        }
        return MetricScores.of(bleu(refLength, match, tst), perSegment);
    }

    /** bleu_score: geometric mean of smoothed n-gram precisions times the brevity penalty. */
    static double bleu(double refLength, long[] match, long[] tst) {
        double lengthFactor = tst[1] > 0 ? Math.exp(Math.min(0, 1 - refLength / tst[1])) : 0;
        double logSum = 0;
        double smooth = 1;
        for (int n = 1; n <= ORDER; n++) {
            if (tst[n] == 0) {
                continue; // log precision 0
            }
            if (match[n] == 0) {
                smooth *= 2;
                logSum += Math.log(1 / (smooth * tst[n]));
            } else {
                logSum += Math.log((double) match[n] / tst[n]);
            }
        }
        return Math.exp(logSum / ORDER) * lengthFactor;
    }
}
