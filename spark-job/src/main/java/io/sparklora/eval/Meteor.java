package io.sparklora.eval;

import java.util.ArrayList;
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
 * Alignment (Banerjee &amp; Lavie 2005, section 2): modules in the order exact, stem, synonym, each among the
 * words still unaligned: first the largest order-preserving matching (an LCS), then remaining one-to-one
 * matches nearest in relative position. Text: lower-cased {@link PtbTokenization} tokens, punctuation kept.
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
        List<String> flat = new ArrayList<>();
        references.forEach(flat::addAll);
        List<List<String>> refTokens = PtbTokenization.tokenizeKeepingPunctuation(flat);
        List<List<String>> hypTokens = PtbTokenization.tokenizeKeepingPunctuation(hypotheses);
        double[] segments = new double[hypotheses.size()];
        Stats total = new Stats();
        int k = 0;
        for (int i = 0; i < hypotheses.size(); i++) {
            Stats best = null;
            double bestScore = -1;
            for (int r = 0; r < references.get(i).size(); r++) {
                Stats s = align(hypTokens.get(i), refTokens.get(k + r));
                double score = s.score();
                if (score > bestScore) {
                    best = s;
                    bestScore = score;
                }
            }
            k += references.get(i).size();
            segments[i] = bestScore;
            total.add(best);
        }
        return MetricScores.of(total.score(), segments);
    }

    /** Aligns one hypothesis with one reference and returns the sufficient statistics. */
    static Stats align(List<String> hyp, List<String> ref) {
        int[] hypToRef = new int[hyp.size()];
        int[] refToHyp = new int[ref.size()];
        java.util.Arrays.fill(hypToRef, -1);
        java.util.Arrays.fill(refToHyp, -1);
        Module[] moduleOf = new Module[hyp.size()];
        for (Module module : Module.values()) {
            boolean[][] candidate = new boolean[hyp.size()][ref.size()];
            for (int i = 0; i < hyp.size(); i++) {
                for (int j = 0; j < ref.size(); j++) {
                    candidate[i][j] = hypToRef[i] < 0 && refToHyp[j] < 0 && module.matches(hyp.get(i), ref.get(j));
                }
            }
            for (int[] pair : longestOrderPreserving(candidate, hyp.size(), ref.size())) {
                link(pair[0], pair[1], module, hypToRef, refToHyp, moduleOf);
            }
            for (int i = 0; i < hyp.size(); i++) {
                if (hypToRef[i] >= 0) {
                    continue;
                }
                int bestJ = -1;
                double bestDistance = Double.MAX_VALUE;
                for (int j = 0; j < ref.size(); j++) {
                    if (refToHyp[j] < 0 && candidate[i][j]) {
                        double distance = Math.abs((double) i / hyp.size() - (double) j / ref.size());
                        if (distance < bestDistance) {
                            bestDistance = distance;
                            bestJ = j;
                        }
                    }
                }
                if (bestJ >= 0) {
                    link(i, bestJ, module, hypToRef, refToHyp, moduleOf);
                }
            }
        }
        Stats s = new Stats();
        s.hypLength = hyp.size();
        s.refLength = ref.size();
        for (int i = 0; i < hyp.size(); i++) {
            boolean function = MeteorFunctionWords.isFunctionWord(hyp.get(i));
            if (function) {
                s.hypFunction++;
            }
            if (hypToRef[i] >= 0) {
                s.matches++;
                (function ? s.hypFunctionMatches : s.hypContentMatches)[moduleOf[i].ordinal()]++;
                boolean refFunction = MeteorFunctionWords.isFunctionWord(ref.get(hypToRef[i]));
                (refFunction ? s.refFunctionMatches : s.refContentMatches)[moduleOf[i].ordinal()]++;
                boolean continues = i > 0 && hypToRef[i - 1] >= 0 && hypToRef[i - 1] + 1 == hypToRef[i];
                if (!continues) {
                    s.chunks++;
                }
            }
        }
        for (String r : ref) {
            if (MeteorFunctionWords.isFunctionWord(r)) {
                s.refFunction++;
            }
        }
        return s;
    }

    private static void link(int i, int j, Module module, int[] hypToRef, int[] refToHyp, Module[] moduleOf) {
        hypToRef[i] = j;
        refToHyp[j] = i;
        moduleOf[i] = module;
    }

    /** An LCS over candidate pairs: the largest set of matches whose order agrees on both sides. */
    private static List<int[]> longestOrderPreserving(boolean[][] candidate, int h, int r) {
        int[][] dp = new int[h + 1][r + 1];
        for (int i = 1; i <= h; i++) {
            for (int j = 1; j <= r; j++) {
                dp[i][j] = candidate[i - 1][j - 1]
                        ? dp[i - 1][j - 1] + 1
                        : Math.max(dp[i - 1][j], dp[i][j - 1]);
            }
        }
        List<int[]> pairs = new ArrayList<>();
        int i = h;
        int j = r;
        while (i > 0 && j > 0) {
            if (candidate[i - 1][j - 1] && dp[i][j] == dp[i - 1][j - 1] + 1) {
                pairs.add(new int[] {i - 1, j - 1});
                i--;
                j--;
            } else if (dp[i - 1][j] >= dp[i][j - 1]) {
                i--;
            } else {
                j--;
            }
        }
        return pairs;
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
