package io.sparklora.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CIDEr-D as the COCO caption evaluator computes it (its class is named "Cider"): n = 1..4 tf-idf
 * vectors with idf = log(#instances) − log(max(1, document frequency)) taken over the references of the
 * evaluated corpus, clipped cosine similarity min(h, r)·r / (|h|·|r|), Gaussian length penalty
 * exp(−δ²/2σ²) with σ = 6, mean over n, mean over references, ×10; the corpus value is the mean over
 * segments. As there, the "length" in δ is the number of bigrams (the evaluator counts term frequencies
 * of index n == 1), and words come from Python's {@code str.split()} of the {@link PtbTokenization} output.
 * Reference: tuetschek/e2e-metrics {@code pycocoevalcap/cider/cider_scorer.py} ({@code precook},
 * {@code compute_doc_freq}, {@code compute_cider}: {@code counts2vec}, {@code sim}); Vedantam et al. (2015).
 */
public final class CiderD {
    static final int N = 4;
    static final double SIGMA = 6.0;

    private CiderD() {}

    /** Scores raw texts: PTB-tokenizes references and hypotheses, then {@link #scoreTokenized}. */
    public static MetricScores score(List<List<String>> references, List<String> hypotheses) {
        E2eInput.check(references, hypotheses);
        return scoreTokenized(E2eTokenized.ptb(references), PtbTokenization.tokenize(hypotheses));
    }

    /** Scores texts already tokenized by {@link PtbTokenization}. */
    public static MetricScores scoreTokenized(List<List<String>> references, List<String> hypotheses) {
        E2eInput.check(references, hypotheses);
        List<List<Map<String, Integer>>> refCounts = new ArrayList<>();
        Map<String, Integer> documentFrequency = new HashMap<>();
        for (List<String> refs : references) {
            List<Map<String, Integer>> cooked = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (String ref : refs) {
                Map<String, Integer> counts = precook(ref);
                cooked.add(counts);
                seen.addAll(counts.keySet());
            }
            seen.forEach(g -> documentFrequency.merge(g, 1, Integer::sum));
            refCounts.add(cooked);
        }
        double logInstances = Math.log(references.size());
        double[] scores = new double[hypotheses.size()];
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            TfIdf hyp = TfIdf.of(precook(hypotheses.get(i)), documentFrequency, logInstances);
            double[] total = new double[N];
            for (Map<String, Integer> ref : refCounts.get(i)) {
                double[] s = similarity(hyp, TfIdf.of(ref, documentFrequency, logInstances));
                for (int n = 0; n < N; n++) {
                    total[n] += s[n];
                }
            }
            double mean = 0;
            for (double t : total) {
                mean += t;
            }
            mean /= N;
            scores[i] = mean / refCounts.get(i).size() * 10.0;
            sum += scores[i];
        }
        return MetricScores.of(sum / scores.length, scores);
    }

    /** n-gram counts for n = 1..4; keys carry their order so that n-grams of different n never collide. */
    static Map<String, Integer> precook(String sentence) {
        List<String> words = E2eTokenized.pythonSplit(sentence);
        Map<String, Integer> counts = new HashMap<>();
        for (int n = 1; n <= N; n++) {
            for (int i = 0; i + n <= words.size(); i++) {
                counts.merge(n + "\u0000" + String.join("\u0000", words.subList(i, i + n)), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static int order(String key) {
        return key.charAt(0) - '0';
    }

    /** counts2vec: tf-idf weights per order, their norms, and the bigram count used as length. */
    private record TfIdf(List<Map<String, Double>> vec, double[] norm, int length) {
        static TfIdf of(Map<String, Integer> counts, Map<String, Integer> df, double logInstances) {
            List<Map<String, Double>> vec = new ArrayList<>();
            for (int n = 0; n < N; n++) {
                vec.add(new HashMap<>());
            }
            double[] norm = new double[N];
            int length = 0;
            for (Map.Entry<String, Integer> e : counts.entrySet()) {
                int n = order(e.getKey()) - 1;
                double idf = Math.log(Math.max(1.0, df.getOrDefault(e.getKey(), 0)));
                double weight = e.getValue() * (logInstances - idf);
                vec.get(n).put(e.getKey(), weight);
                norm[n] += weight * weight;
                if (n == 1) {
                    length += e.getValue();
                }
            }
            for (int n = 0; n < N; n++) {
                norm[n] = Math.sqrt(norm[n]);
            }
            return new TfIdf(vec, norm, length);
        }
    }

    private static double[] similarity(TfIdf hyp, TfIdf ref) {
        double delta = hyp.length() - ref.length();
        double penalty = Math.exp(-(delta * delta) / (2 * SIGMA * SIGMA));
        double[] val = new double[N];
        for (int n = 0; n < N; n++) {
            for (Map.Entry<String, Double> e : hyp.vec().get(n).entrySet()) {
                double r = ref.vec().get(n).getOrDefault(e.getKey(), 0.0);
                val[n] += Math.min(e.getValue(), r) * r;
            }
            if (hyp.norm()[n] != 0 && ref.norm()[n] != 0) {
                val[n] /= hyp.norm()[n] * ref.norm()[n];
            }
            val[n] *= penalty;
        }
        return val;
    }
}
