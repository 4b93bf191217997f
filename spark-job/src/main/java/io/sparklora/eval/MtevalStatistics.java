package io.sparklora.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The n-gram statistics that NIST's mteval-v13a collects for BLEU and NIST, with a variable number of
 * references per segment (one document holding every segment, as the E2E script writes it).
 * Reference: tuetschek/e2e-metrics {@code mteval/mteval-v13a-sig.pl}: {@code compute_ngram_info} (n-gram
 * information weights from all references, with its quirk that a prefix "0" counts as false and so falls
 * back to the total word count), {@code score_segment} (clipped matches, closest reference length with
 * ties to the shorter, non-empty reference count) and {@code Words2Ngrams}.
 */
final class MtevalStatistics {
    /** mteval counts up to 9-grams; BLEU reads 4 and NIST 5 of them, so 5 are kept. */
    static final int MAX_N = 5;

    /** One segment's sufficient statistics; arrays are indexed by n-gram order 1..MAX_N. */
    record Segment(int closestRefLength, int nonEmptyRefs, long[] match, long[] tstCount, long[] refCount,
            double[] tstInfo) {}

    private final List<Segment> segments;

    private MtevalStatistics(List<Segment> segments) {
        this.segments = segments;
    }

    List<Segment> segments() {
        return segments;
    }

    static MtevalStatistics of(List<List<String>> references, List<String> hypotheses) {
        E2eInput.check(references, hypotheses);
        List<List<String[]>> refWords = new ArrayList<>();
        Map<String, Long> refNgramCounts = new HashMap<>();
        long totalRefWords = 0;
        for (List<String> refs : references) {
            List<String[]> tokenized = new ArrayList<>();
            for (String ref : refs) {
                String[] words = MtevalTokenization.words(MtevalTokenization.tokenize(ref));
                tokenized.add(words);
                totalRefWords += words.length;
                ngramCounts(words).forEach((k, v) -> refNgramCounts.merge(k, v, Long::sum));
            }
            refWords.add(tokenized);
        }
        Map<String, Double> info = ngramInfo(refNgramCounts, totalRefWords);
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < hypotheses.size(); i++) {
            String[] tst = MtevalTokenization.words(MtevalTokenization.tokenize(hypotheses.get(i)));
            segments.add(scoreSegment(tst, refWords.get(i), info));
        }
        return new MtevalStatistics(segments);
    }

    private static Segment scoreSegment(String[] tst, List<String[]> refs, Map<String, Double> info) {
        long[] match = new long[MAX_N + 1];
        long[] tstCount = new long[MAX_N + 1];
        long[] refCount = new long[MAX_N + 1];
        double[] tstInfo = new double[MAX_N + 1];
        for (int n = 1; n <= MAX_N; n++) {
            tstCount[n] = Math.max(0, tst.length - n + 1);
        }
        Map<String, Long> refMax = new HashMap<>();
        int nonEmpty = 0;
        Integer refLength = null;
        for (String[] ref : refs) {
            if (ref.length > 0) {
                nonEmpty++;
            }
            ngramCounts(ref).forEach((k, v) -> refMax.merge(k, v, Math::max));
            for (int n = 1; n <= MAX_N; n++) {
                refCount[n] += Math.max(0, ref.length - n + 1);
            }
            refLength = refLength == null ? ref.length : closest(refLength, ref.length, tst.length);
        }
        for (Map.Entry<String, Long> e : ngramCounts(tst).entrySet()) {
            Long max = refMax.get(e.getKey());
            if (max == null) {
                continue;
            }
            int n = order(e.getKey());
            long count = Math.min(e.getValue(), max);
            match[n] += count;
            tstInfo[n] += info.get(e.getKey()) * count;
        }
        return new Segment(refLength, nonEmpty, match, tstCount, refCount, tstInfo);
    }

    /** brevity_penalty_closest: the reference length nearest the candidate's, ties to the shorter; empty ones skipped. */
    private static int closest(int current, int refLength, int candidateLength) {
        if (refLength == 0) {
            return current;
        }
        int dRef = Math.abs(candidateLength - refLength);
        int dCur = Math.abs(candidateLength - current);
        if (dRef < dCur || (dRef == dCur && current > refLength)) {
            return refLength;
        }
        return current;
    }

    private static Map<String, Double> ngramInfo(Map<String, Long> counts, long totalWords) {
        Map<String, Double> info = new HashMap<>();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            String ngram = e.getKey();
            int cut = ngram.lastIndexOf(' ');
            String prefix = cut < 0 ? "" : ngram.substring(0, cut);
            // Perl: $mgram ? count/count{mgram} : count/tot_wrds -- "0" is false in Perl
            boolean usePrefix = !prefix.isEmpty() && !prefix.equals("0");
            double denominator = usePrefix ? counts.get(prefix) : totalWords;
            info.put(ngram, -Math.log(e.getValue() / denominator) / Math.log(2));
        }
        return info;
    }

    /** Words2Ngrams: counts of every n-gram up to MAX_N, keyed by its words joined with single spaces. */
    private static Map<String, Long> ngramCounts(String[] words) {
        Map<String, Long> counts = new HashMap<>();
        for (int start = 0; start < words.length; start++) {
            StringBuilder ngram = new StringBuilder();
            for (int n = 1; n <= MAX_N && start + n <= words.length; n++) {
                if (n > 1) {
                    ngram.append(' ');
                }
                ngram.append(words[start + n - 1]);
                counts.merge(ngram.toString(), 1L, Long::sum);
            }
        }
        return counts;
    }

    private static int order(String ngram) {
        int n = 1;
        for (int i = 0; i < ngram.length(); i++) {
            if (ngram.charAt(i) == ' ') {
                n++;
            }
        }
        return n;
    }
}
