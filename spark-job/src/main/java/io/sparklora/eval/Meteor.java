package io.sparklora.eval;

import java.util.List;

/**
 * METEOR with exact, stem and WordNet-synonym matching: an approximation of METEOR 1.5, whose paraphrase
 * module cannot be reproduced (its paraphrase table is not available) and whose alignment search and
 * function-word list are re-implemented, not copied (see METRICS.md for how values differ).
 * Scoring follows Denkowski &amp; Lavie (2014), "Meteor Universal", section 2, with METEOR 1.5's English
 * parameters (α = 0.85, β = 0.20, γ = 0.60, δ = 0.75; module weights exact 1.0, stem 0.6, synonym 0.8):
 * P and R are δ-weighted (content vs. function words) sums of module-weighted matches, F = PR/(αP + (1−α)R),
 * Pen = γ·(chunks/matches)^β (0 for a full match in one chunk), score = (1 − Pen)·F. A segment keeps its
 * best-scoring reference; the corpus value is computed from the summed statistics of those best matches,
 * as METEOR's aggregate score (and pycocoevalcap's {@code meteor.py}, which reads it) does.
 * Alignment ({@link MeteorAlignment}): the one-to-one alignment with the most matches, then the fewest
 * chunks, then the least position distance, found by a beam search, as METEOR 1.5's aligner ranks them.
 * Text: the lower-cased {@link PtbTokenization} tokens without punctuation that the official script (through
 * pycocoevalcap) hands to METEOR; METEOR's own {@code -norm} re-tokenization of that text is not repeated.
 */
public final class Meteor {
    static final double ALPHA = 0.85;
    static final double BETA = 0.20;
    static final double GAMMA = 0.60;
    static final double DELTA = 0.75;
    /** Module weights in the order of {@link Module}. */
    static final double[] WEIGHTS = {1.0, 0.6, 0.8};

    enum Module {
        EXACT,
        STEM,
        SYNONYM;

        boolean matches(String h, String r) {
            return switch (this) {
                case EXACT -> h.equals(r);
                case STEM -> MeteorLexicon.stem(h).equals(MeteorLexicon.stem(r));
                case SYNONYM -> MeteorLexicon.synonyms(h, r);
            };
        }
    }

    private Meteor() {}

    /** Scores hypothesis i against references i; returns the aggregate and per-segment METEOR in [0, 1]. */
    public static MetricScores score(List<List<String>> references, List<String> hypotheses) {
        E2eInput.check(references, hypotheses);
        return scoreTokenized(E2eTokenized.ptb(references), PtbTokenization.tokenize(hypotheses));
    }

    /**
     * Scores texts already tokenized by {@link PtbTokenization} (punctuation removed), which is what the
     * official script hands to METEOR.
     */
    public static MetricScores scoreTokenized(List<List<String>> references, List<String> hypotheses) {
        E2eInput.check(references, hypotheses);
        double[] segments = new double[hypotheses.size()];
        Stats total = new Stats();
        for (int i = 0; i < hypotheses.size(); i++) {
            List<String> hyp = E2eTokenized.pythonSplit(hypotheses.get(i));
            Stats best = null;
            double bestScore = -1;
            for (String reference : references.get(i)) {
                Stats s = align(hyp, E2eTokenized.pythonSplit(reference));
                double score = s.score();
                if (score > bestScore) {
                    best = s;
                    bestScore = score;
                }
            }
            segments[i] = bestScore;
            total.add(best);
        }
        return MetricScores.of(total.score(), segments);
    }

    /** Aligns one hypothesis with one reference and returns the sufficient statistics. */
    static Stats align(List<String> hyp, List<String> ref) {
        Module[] moduleOf = new Module[ref.size()];
        int[] refToHyp = MeteorAlignment.search(hyp, ref, moduleOf);
        Stats s = new Stats();
        s.hypLength = hyp.size();
        s.refLength = ref.size();
        for (String h : hyp) {
            if (MeteorFunctionWords.isFunctionWord(h)) {
                s.hypFunction++;
            }
        }
        for (int j = 0; j < ref.size(); j++) {
            boolean refFunction = MeteorFunctionWords.isFunctionWord(ref.get(j));
            if (refFunction) {
                s.refFunction++;
            }
            int i = refToHyp[j];
            if (i < 0) {
                continue;
            }
            int m = moduleOf[j].ordinal();
            s.matches++;
            (refFunction ? s.refFunctionMatches : s.refContentMatches)[m]++;
            (MeteorFunctionWords.isFunctionWord(hyp.get(i)) ? s.hypFunctionMatches : s.hypContentMatches)[m]++;
            boolean continues = j > 0 && refToHyp[j - 1] >= 0 && refToHyp[j - 1] + 1 == i;
            if (!continues) {
                s.chunks++;
            }
        }
        return s;
    }

    /** METEOR's sufficient statistics of one alignment (or their sum over a corpus). */
    static final class Stats {
        int hypLength;
        int refLength;
        int hypFunction;
        int refFunction;
        int matches;
        int chunks;
        final double[] hypContentMatches = new double[Module.values().length];
        final double[] hypFunctionMatches = new double[Module.values().length];
        final double[] refContentMatches = new double[Module.values().length];
        final double[] refFunctionMatches = new double[Module.values().length];

        void add(Stats o) {
            hypLength += o.hypLength;
            refLength += o.refLength;
            hypFunction += o.hypFunction;
            refFunction += o.refFunction;
            matches += o.matches;
            chunks += o.chunks;
            for (int m = 0; m < hypContentMatches.length; m++) {
                hypContentMatches[m] += o.hypContentMatches[m];
                hypFunctionMatches[m] += o.hypFunctionMatches[m];
                refContentMatches[m] += o.refContentMatches[m];
                refFunctionMatches[m] += o.refFunctionMatches[m];
            }
        }

        double score() {
            double precision = weighted(hypContentMatches, hypFunctionMatches, hypLength - hypFunction, hypFunction);
            double recall = weighted(refContentMatches, refFunctionMatches, refLength - refFunction, refFunction);
            if (matches == 0 || precision == 0 || recall == 0) {
                return 0.0;
            }
            double fMean = precision * recall / (ALPHA * precision + (1 - ALPHA) * recall);
            boolean fullMatchInOneChunk = matches == hypLength && matches == refLength && chunks == 1;
            double fragmentation = fullMatchInOneChunk ? 0.0 : (double) chunks / matches;
            double penalty = GAMMA * Math.pow(fragmentation, BETA);
            return (1 - penalty) * fMean;
        }

        private static double weighted(double[] content, double[] function, int contentWords, int functionWords) {
            double denominator = DELTA * contentWords + (1 - DELTA) * functionWords;
            if (denominator == 0) {
                return 0.0;
            }
            double numerator = 0;
            for (int m = 0; m < content.length; m++) {
                numerator += WEIGHTS[m] * (DELTA * content[m] + (1 - DELTA) * function[m]);
            }
            return numerator / denominator;
        }
    }
}
