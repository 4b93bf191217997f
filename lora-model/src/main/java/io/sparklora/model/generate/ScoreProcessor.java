package io.sparklora.model.generate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * gpt2_beam.py's {@code _postprocess_next_token_scores} and log-softmax on one row of logits,
 * in place: repetition penalty on the logits of tokens generated so far, EOS banned before
 * {@code minLength}, tokens that would repeat an n-gram of the generated tokens banned, then
 * {@code log(softmax)}. The history is the generated tokens only (not the prompt), as there.
 */
final class ScoreProcessor {
    private final GenerationConfig cfg;

    ScoreProcessor(GenerationConfig cfg) {
        this.cfg = cfg;
    }

    /** Turns {@code row[off, off+vocab)} of raw logits into log-probabilities. */
    void process(float[] logits, int off, int vocab, int[] history, int curLen, double[] out) {
        for (int v = 0; v < vocab; v++) {
            out[v] = logits[off + v];
        }
        if (cfg.repetitionPenalty() != 1.0 && curLen > 0) {
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < curLen; i++) {
                int t = history[i];
                if (seen.add(t) && t < vocab) {
                    out[t] = out[t] < 0 ? out[t] * cfg.repetitionPenalty() : out[t] / cfg.repetitionPenalty();
                }
            }
        }
        if (curLen < cfg.minLength()) {
            for (int e : cfg.eosTokenIds()) {
                if (e < vocab) {
                    out[e] = Double.NEGATIVE_INFINITY;
                }
            }
        }
        if (cfg.noRepeatNgramSize() > 0 && curLen > 0) {
            for (int t : bannedNgramTokens(history, curLen, cfg.noRepeatNgramSize())) {
                if (t < vocab) {
                    out[t] = Double.NEGATIVE_INFINITY;
                }
            }
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, out[v]);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return; // everything banned: every continuation scores -inf
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(out[v] - max);
        }
        double lse = max + Math.log(sum);
        for (int v = 0; v < vocab; v++) {
            out[v] -= lse;
        }
    }

    /**
     * fairseq's rule as gpt2_beam.py uses it: the tokens that followed earlier occurrences of the
     * last n−1 generated tokens.
     */
    static List<Integer> bannedNgramTokens(int[] history, int curLen, int n) {
        List<Integer> banned = new ArrayList<>();
        if (curLen + 1 < n) {
            return banned;
        }
        int start = curLen + 1 - n;
        for (int i = 0; i + n <= curLen; i++) {
            boolean match = true;
            for (int j = 0; j < n - 1 && match; j++) {
                match = history[i + j] == history[start + j];
            }
            if (match) {
                banned.add(history[i + n - 1]);
            }
        }
        return banned;
    }
}
