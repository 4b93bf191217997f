package io.sparklora.eval;

import java.util.List;

/**
 * NIST-5 as NIST's mteval-v13a computes it for the E2E NLG Challenge: information-weighted n-gram matches
 * (weights from the evaluated references), times the length penalty exp(-β·log²(ratio)) with β chosen so
 * that the penalty is 0.5 at ratio 2/3. The reference length is the Perl script's: total reference words
 * divided by the mean number of non-empty references per segment (at segment level: by that segment's
 * count), not the average that the script's Python port uses.
 * Reference: tuetschek/e2e-metrics {@code mteval/mteval-v13a-sig.pl}: {@code score_system} (corpus:
 * {@code $cum_ref_count / $cum_seg_count}), {@code score_document}, {@code nist_score} and
 * {@code nist_length_penalty}; Doddington (2002).
 */
public final class NistMteval {
    private static final int ORDER = 5;

    private NistMteval() {}

    /** Scores hypothesis i against references i; returns corpus and per-segment NIST. */
    public static MetricScores score(List<List<String>> references, List<String> hypotheses) {
        return score(MtevalStatistics.of(references, hypotheses));
    }

    static MetricScores score(MtevalStatistics stats) {
        List<MtevalStatistics.Segment> segments = stats.segments();
        double[] perSegment = new double[segments.size()];
        long nonEmptyRefs = 0;
        long[] tst = new long[MtevalStatistics.MAX_N + 1];
        long[] ref = new long[MtevalStatistics.MAX_N + 1];
        double[] info = new double[MtevalStatistics.MAX_N + 1];
        for (int i = 0; i < segments.size(); i++) {
            MtevalStatistics.Segment s = segments.get(i);
            perSegment[i] = nist(s.nonEmptyRefs(), s.tstCount(), s.refCount(), s.tstInfo());
            nonEmptyRefs += s.nonEmptyRefs();
            for (int n = 1; n <= MtevalStatistics.MAX_N; n++) {
                tst[n] += s.tstCount()[n];
                ref[n] += s.refCount()[n];
                info[n] += s.tstInfo()[n];
            }
        }
        double refsPerSegment = (double) nonEmptyRefs / segments.size();
        return MetricScores.of(nist(refsPerSegment, tst, ref, info), perSegment);
    }

    /** nist_score: Σ_n info_n / max(count_n, 1), times the length penalty of tst words / mean ref words. */
    static double nist(double refsPerSegment, long[] tst, long[] ref, double[] info) {
        if (ref[1] == 0 || refsPerSegment == 0) {
            throw new IllegalArgumentException("NIST needs at least one non-empty reference");
        }
        double score = 0;
        for (int n = 1; n <= ORDER; n++) {
            score += info[n] / Math.max(tst[n], 1);
        }
        return score * lengthPenalty(tst[1] / (ref[1] / refsPerSegment));
    }

    static double lengthPenalty(double ratio) {
        if (ratio >= 1) {
            return 1;
        }
        if (ratio <= 0) {
            return 0;
        }
        double beta = -Math.log(0.5) / Math.log(1.5) / Math.log(1.5);
        return Math.exp(-beta * Math.log(ratio) * Math.log(ratio));
    }
}
