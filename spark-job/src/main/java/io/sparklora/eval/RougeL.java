package io.sparklora.eval;

import java.util.List;

/**
 * ROUGE-L as the COCO caption evaluator computes it: for each segment the longest common subsequence
 * with each reference gives precision and recall; the maxima over references are combined as
 * F = (1+β²)·P·R / (R + β²·P) with β = 1.2; the corpus value is the mean over segments. Tokens are the
 * space-separated {@link PtbTokenization} output, split on single spaces like Python's {@code split(" ")}.
 * Reference: tuetschek/e2e-metrics {@code pycocoevalcap/rouge/rouge.py} ({@code my_lcs},
 * {@code Rouge.calc_score}, {@code Rouge.compute_score}); Lin (2004).
 */
public final class RougeL {
    static final double BETA = 1.2;

    private RougeL() {}

    /** Scores raw texts: PTB-tokenizes references and hypotheses, then {@link #scoreTokenized}. */
    public static MetricScores score(List<List<String>> references, List<String> hypotheses) {
        E2eInput.check(references, hypotheses);
        return scoreTokenized(E2eTokenized.ptb(references), PtbTokenization.tokenize(hypotheses));
    }

    /** Scores texts already tokenized by {@link PtbTokenization}. */
    public static MetricScores scoreTokenized(List<List<String>> references, List<String> hypotheses) {
        E2eInput.check(references, hypotheses);
        double[] scores = new double[hypotheses.size()];
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            scores[i] = segment(hypotheses.get(i), references.get(i));
            sum += scores[i];
        }
        return MetricScores.of(sum / scores.length, scores);
    }

    static double segment(String hypothesis, List<String> references) {
        String[] candidate = hypothesis.split(" ", -1);
        double maxPrecision = 0;
        double maxRecall = 0;
        for (String reference : references) {
            String[] ref = reference.split(" ", -1);
            int lcs = lcs(ref, candidate);
            maxPrecision = Math.max(maxPrecision, (double) lcs / candidate.length);
            maxRecall = Math.max(maxRecall, (double) lcs / ref.length);
        }
        if (maxPrecision == 0 || maxRecall == 0) {
            return 0.0;
        }
        double b2 = BETA * BETA;
        return ((1 + b2) * maxPrecision * maxRecall) / (maxRecall + b2 * maxPrecision);
    }

    static int lcs(String[] a, String[] b) {
        int[] previous = new int[b.length + 1];
        int[] current = new int[b.length + 1];
        for (String x : a) {
            for (int j = 1; j <= b.length; j++) {
                current[j] = x.equals(b[j - 1]) ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length];
    }
}
