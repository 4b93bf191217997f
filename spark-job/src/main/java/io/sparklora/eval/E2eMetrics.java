package io.sparklora.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The five metrics of the E2E NLG Challenge's official script (tuetschek/e2e-metrics
 * {@code measure_scores.py}), corpus and segment level: BLEU and NIST as mteval-v13a computes them
 * ({@link BleuMteval}, {@link NistMteval}), METEOR ({@link Meteor}, an approximation of METEOR 1.5),
 * ROUGE-L and CIDEr-D as pycocoevalcap computes them after the PTB tokenizer ({@link RougeL},
 * {@link CiderD}). BLEU and ROUGE_L are fractions in [0, 1], like the official script prints them.
 */
public final class E2eMetrics {
    public static final String BLEU = "BLEU";
    public static final String NIST = "NIST";
    public static final String METEOR = "METEOR";
    public static final String ROUGE_L = "ROUGE_L";
    public static final String CIDER = "CIDEr";
    /** Output order of the official script. */
    public static final List<String> NAMES = List.of(BLEU, NIST, METEOR, ROUGE_L, CIDER);

    /** Metric name → scores, in {@link #NAMES} order. */
    public record Result(Map<String, MetricScores> scores) {
        public Result {
            scores = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scores));
        }

        /** Corpus-level values keyed by metric name, in {@link #NAMES} order. */
        public Map<String, Double> corpus() {
            Map<String, Double> out = new LinkedHashMap<>();
            scores.forEach((name, s) -> out.put(name, s.corpus()));
            return out;
        }
    }

    private E2eMetrics() {}

    /** Scores hypothesis i against the references of instance i with all five metrics. */
    public static Result compute(List<List<String>> references, List<String> hypotheses) {
        E2eInput.check(references, hypotheses);
        MtevalStatistics mteval = MtevalStatistics.of(references, hypotheses);
        List<List<String>> ptbRefs = E2eTokenized.ptb(references);
        List<String> ptbHyps = PtbTokenization.tokenize(hypotheses);
        Map<String, MetricScores> scores = new LinkedHashMap<>();
        scores.put(BLEU, BleuMteval.score(mteval));
        scores.put(NIST, NistMteval.score(mteval));
        scores.put(METEOR, Meteor.scoreTokenized(ptbRefs, ptbHyps));
        scores.put(ROUGE_L, RougeL.scoreTokenized(ptbRefs, ptbHyps));
        scores.put(CIDER, CiderD.scoreTokenized(ptbRefs, ptbHyps));
        return new Result(scores);
    }
}
