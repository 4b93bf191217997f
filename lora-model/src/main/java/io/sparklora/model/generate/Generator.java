package io.sparklora.model.generate;

import ai.djl.ndarray.NDManager;
import io.sparklora.model.gpt2.Gpt2LMHeadModel;
import io.sparklora.model.nn.Autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Greedy and beam-search decoding for {@link Gpt2LMHeadModel}, following microsoft/LoRA's
 * {@code gpt2_beam.py}: scores are {@code log softmax} of the post-processed logits (see
 * {@link GenerationConfig}); a hypothesis that emits an EOS becomes a candidate scoring
 * {@code Σ log p / length^lengthPenalty} (length = generated tokens, EOS included) and its beam is
 * retired (score −∞); after {@code maxNewTokens} steps the live beams become candidates too; each
 * prompt keeps its best candidate. Decoding stops early once no live beam is left.
 *
 * <p>Prompts of different lengths are batched with left padding (see {@link Decoder}). Every array
 * of a call lives in a sub-manager of the model's manager that the call closes. The model must be
 * in eval mode (so that LoRA dropout is off and weights are merged if configured).
 */
public final class Generator {
    private final Gpt2LMHeadModel model;

    public Generator(Gpt2LMHeadModel model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /** Beam search when {@code numBeams > 1}, else greedy. */
    public List<Generation> generate(List<int[]> prompts, GenerationConfig cfg) {
        return cfg.numBeams() > 1 ? beamSearch(prompts, cfg) : greedy(prompts, cfg);
    }

    /** Picks the most likely next token every step (ties: the lowest id); ignores {@code numBeams}. */
    public List<Generation> greedy(List<int[]> prompts, GenerationConfig cfg) {
        validate(prompts, cfg);
        int vocab = model.config().vocabSize();
        ScoreProcessor proc = new ScoreProcessor(cfg);
        int n = prompts.size();
        int[][] history = new int[n][cfg.maxNewTokens()];
        double[] score = new double[n];
        boolean[] done = new boolean[n];
        int[] len = new int[n];
        int[] identity = new int[n];
        Arrays.setAll(identity, i -> i);
        double[] row = new double[vocab];
        return Autograd.noGrad(() -> {
            try (NDManager call = model.manager().newSubManager();
                 Decoder dec = new Decoder(model, call, prompts, cfg.useCache())) {
                float[] logits = dec.start();
                for (int step = 0; step < cfg.maxNewTokens(); step++) {
                    int[] next = new int[n];
                    int live = 0;
                    for (int i = 0; i < n; i++) {
                        if (done[i]) {
                            next[i] = history[i][len[i] - 1];
                            continue;
                        }
                        proc.process(logits, i * vocab, vocab, history[i], step, row);
                        int best = 0;
                        for (int v = 1; v < vocab; v++) {
                            if (row[v] > row[best]) {
                                best = v;
                            }
                        }
                        next[i] = best;
                        score[i] += row[best];
                        history[i][len[i]++] = best;
                        done[i] = cfg.isEos(best);
                        live += done[i] ? 0 : 1;
                    }
                    if (live == 0 || step + 1 == cfg.maxNewTokens()) {
                        break;
                    }
                    logits = dec.step(identity, next);
                }
            }
            List<Generation> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(result(history[i], len[i], score[i], done[i], cfg));
            }
            return out;
        });
    }

    /** gpt2_beam.py's beam search with {@code numBeams} beams per prompt. */
    public List<Generation> beamSearch(List<int[]> prompts, GenerationConfig cfg) {
        validate(prompts, cfg);
        return Autograd.noGrad(() -> runBeams(prompts, cfg));
    }

    private List<Generation> runBeams(List<int[]> prompts, GenerationConfig cfg) {
        int vocab = model.config().vocabSize();
        int k = cfg.numBeams();
        int b = prompts.size();
        ScoreProcessor proc = new ScoreProcessor(cfg);
        double[] beamScore = new double[b * k];
        int[][] history = new int[b * k][0];
        double[] bestScore = new double[b];
        int[][] bestTokens = new int[b][];
        boolean[] bestEos = new boolean[b];
        double[] row = new double[vocab];
        try (NDManager call = model.manager().newSubManager();
             Decoder dec = new Decoder(model, call, prompts, cfg.useCache())) {
            float[] logits = dec.start(); // one row per prompt: all beams start identical
            for (int step = 0; step < cfg.maxNewTokens(); step++) {
                int rows = step == 0 ? b : b * k;
                int[] parent = new int[b * k];
                int[] next = new int[b * k];
                double[] nextScore = new double[b * k];
                double[][] lp = new double[rows][];
                for (int r = 0; r < rows; r++) {
                    proc.process(logits, r * vocab, vocab, history[step == 0 ? 0 : r], step, row);
                    lp[r] = row.clone();
                }
                for (int p = 0; p < b; p++) {
                    int beams = step == 0 ? 1 : k;
                    int[] top = topK(lp, step == 0 ? p : p * k, beams, step == 0 ? null : beamScore, vocab, k);
                    for (int j = 0; j < k; j++) {
                        int beam = top[j] / vocab;
                        int token = top[j] % vocab;
                        int src = step == 0 ? p : p * k + beam;
                        parent[p * k + j] = src;
                        next[p * k + j] = token;
                        nextScore[p * k + j] = (step == 0 ? 0 : beamScore[src]) + lp[src][token];
                    }
                }
                int[][] newHistory = new int[b * k][];
                for (int r = 0; r < b * k; r++) {
                    int src = step == 0 ? 0 : parent[r];
                    newHistory[r] = Arrays.copyOf(history[src], step + 1);
                    newHistory[r][step] = next[r];
                }
                history = newHistory;
                System.arraycopy(nextScore, 0, beamScore, 0, b * k);
                boolean alive = false;
                for (int r = 0; r < b * k; r++) {
                    if (cfg.isEos(next[r])) {
                        offer(r / k, beamScore[r], history[r], true, cfg, bestScore, bestTokens, bestEos);
                        beamScore[r] = Double.NEGATIVE_INFINITY;
                    }
                    alive |= beamScore[r] != Double.NEGATIVE_INFINITY;
                }
                if (!alive || step + 1 == cfg.maxNewTokens()) {
                    break;
                }
                logits = dec.step(parent, next);
            }
        }
        for (int r = 0; r < b * k; r++) {
            offer(r / k, beamScore[r], history[r], false, cfg, bestScore, bestTokens, bestEos);
        }
        List<Generation> out = new ArrayList<>(b);
        for (int p = 0; p < b; p++) {
            int[] t = bestTokens[p];
            out.add(new Generation(bestEos[p] ? Arrays.copyOf(t, t.length - 1) : t, bestScore[p], bestEos[p]));
        }
        return out;
    }

    /** gpt2_beam.py's {@code _add_beam_candidate} for one hypothesis (strictly better replaces). */
    private static void offer(int prompt, double beamScore, int[] tokens, boolean eos, GenerationConfig cfg,
                              double[] bestScore, int[][] bestTokens, boolean[] bestEos) {
        double s = beamScore / Math.pow(tokens.length, cfg.lengthPenalty());
        if (bestTokens[prompt] == null || bestScore[prompt] < s) {
            bestScore[prompt] = s;
            bestTokens[prompt] = tokens.clone();
            bestEos[prompt] = eos;
        }
    }

    /**
     * The {@code k} best flat indices {@code beam·vocab + token} over {@code beams} rows starting at
     * {@code first}, each row's scores offset by its beam score (null: 0); best first, ties to the
     * lower index, as a stable sort would.
     */
    private static int[] topK(double[][] lp, int first, int beams, double[] beamScore, int vocab, int k) {
        int[] idx = new int[k];
        double[] val = new double[k];
        int filled = 0;
        for (int beam = 0; beam < beams; beam++) {
            double base = beamScore == null ? 0 : beamScore[first + beam];
            double[] r = lp[first + beam];
            for (int v = 0; v < vocab; v++) {
                double s = base + r[v];
                if (filled == k && !(s > val[k - 1])) {
                    continue;
                }
                int pos = filled == k ? k - 1 : filled++;
                while (pos > 0 && s > val[pos - 1]) {
                    val[pos] = val[pos - 1];
                    idx[pos] = idx[pos - 1];
                    pos--;
                }
                val[pos] = s;
                idx[pos] = beam * vocab + v;
            }
        }
        return idx;
    }

    private static Generation result(int[] history, int len, double score, boolean eos, GenerationConfig cfg) {
        double s = score / Math.pow(len, cfg.lengthPenalty());
        return new Generation(Arrays.copyOf(history, eos ? len - 1 : len), s, eos);
    }

    private void validate(List<int[]> prompts, GenerationConfig cfg) {
        Objects.requireNonNull(prompts, "prompts");
        Objects.requireNonNull(cfg, "cfg");
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts to generate from");
        }
        if (model.isTraining()) {
            throw new IllegalStateException("the model is in training mode; call model.eval() before generating");
        }
        int vocab = model.config().vocabSize();
        int longest = 0;
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = prompts.get(i);
            if (p == null || p.length == 0) {
                throw new IllegalArgumentException("prompt " + i + " is empty");
            }
            for (int t : p) {
                if (t < 0 || t >= vocab) {
                    throw new IllegalArgumentException("prompt " + i + " has token id " + t
                            + " outside the vocabulary [0, " + vocab + ")");
                }
            }
            longest = Math.max(longest, p.length);
        }
        // the last generated token is never fed back, so the model sees at most longest + max - 1 positions
        if (longest + cfg.maxNewTokens() - 1 > model.config().maxSequenceLength()) {
            throw new IllegalArgumentException("the longest prompt (" + longest + " tokens) plus maxNewTokens ("
                    + cfg.maxNewTokens() + ") exceeds the model's " + model.config().maxSequenceLength()
                    + " positions");
        }
    }
}
