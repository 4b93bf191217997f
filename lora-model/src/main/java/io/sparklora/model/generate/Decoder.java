package io.sparklora.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.gpt2.Gpt2Input;
import io.sparklora.model.gpt2.Gpt2LMHeadModel;
import io.sparklora.model.gpt2.Gpt2Output;
import io.sparklora.model.gpt2.KvCache;

import java.util.List;

/**
 * Feeds a batch of rows (prompts, or prompts × beams) through the model one token at a time and
 * hands back next-token logits of every row.
 *
 * <p>Prompts are <b>left-padded</b> to the longest one: padding columns get attention mask 0, real
 * tokens positions {@code 0..L-1}, generated token g of a row with prompt length L position
 * {@code L + g}. So every row's last real token is the last column, and each step appends one
 * column for all rows (with the cache: one concatenation per layer, no per-row writes).
 * With the cache, each step runs the model on the new tokens only; without, it reruns the whole
 * sequence (the reference the cached path is tested against).
 */
final class Decoder implements AutoCloseable {
    private final Gpt2LMHeadModel model;
    private final NDManager manager;
    private final boolean useCache;
    private final int width;          // padded prompt length
    private int[] promptLen;          // per row
    private int[][] tokens;           // per row: padding, prompt, generated
    private int generated;
    private KvCache cache;

    Decoder(Gpt2LMHeadModel model, NDManager manager, List<int[]> prompts, boolean useCache) {
        this.model = model;
        this.manager = manager;
        this.useCache = useCache;
        int w = 0;
        for (int[] p : prompts) {
            w = Math.max(w, p.length);
        }
        this.width = w;
        this.promptLen = new int[prompts.size()];
        this.tokens = new int[prompts.size()][];
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = prompts.get(i);
            promptLen[i] = p.length;
            tokens[i] = new int[w];
            System.arraycopy(p, 0, tokens[i], w - p.length, p.length);
        }
    }

    int rows() {
        return tokens.length;
    }

    /** Logits {@code [rows × vocab]} after the prompts. */
    float[] start() {
        try (NDManager step = manager.newSubManager()) {
            return run(step, 0, width);
        }
    }

    /**
     * Appends {@code next[i]} to a row that continues row {@code parent[i]} of the current batch
     * (beam reordering and expansion), and returns the logits after it.
     */
    float[] step(int[] parent, int[] next) {
        if (parent.length != next.length) {
            throw new IllegalArgumentException("parent and next differ in length");
        }
        int n = next.length;
        int[] newLen = new int[n];
        int[][] newTokens = new int[n][];
        for (int i = 0; i < n; i++) {
            newLen[i] = promptLen[parent[i]];
            int[] old = tokens[parent[i]];
            newTokens[i] = java.util.Arrays.copyOf(old, old.length + 1);
            newTokens[i][old.length] = next[i];
        }
        try (NDManager step = manager.newSubManager()) {
            if (useCache && !isIdentity(parent, tokens.length)) {
                long[] idx = new long[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = parent[i];
                }
                KvCache reordered = cache.selectRows(step.create(idx), step);
                cache.close();
                cache = reordered.attach(manager);
            }
            promptLen = newLen;
            tokens = newTokens;
            generated++;
            return useCache ? run(step, width + generated - 1, width + generated) : run(step, 0, width + generated);
        }
    }

    private static boolean isIdentity(int[] parent, int rows) {
        if (parent.length != rows) {
            return false;
        }
        for (int i = 0; i < parent.length; i++) {
            if (parent[i] != i) {
                return false;
            }
        }
        return true;
    }

    /** Runs columns {@code [from, to)} (the earlier ones are in the cache) and returns last-column logits. */
    private float[] run(NDManager step, int from, int to) {
        int n = tokens.length;
        int t = to - from;
        long[] ids = new long[n * t];
        long[] pos = new long[n * t];
        float[] mask = new float[n * to];
        for (int i = 0; i < n; i++) {
            int pad = width - promptLen[i];
            for (int j = 0; j < to; j++) {
                mask[i * to + j] = j >= pad ? 1f : 0f;
            }
            for (int j = from; j < to; j++) {
                ids[i * t + j - from] = tokens[i][j];
                pos[i * t + j - from] = Math.max(0, j - pad);
            }
        }
        Gpt2Input in = Gpt2Input.of(step.create(ids, new Shape(n, t)))
                .positionIds(step.create(pos, new Shape(n, t)))
                .attentionMask(step.create(mask, new Shape(n, to)))
                .lastPositionOnly(true)
                .useCache(useCache)
                .past(useCache ? cache : null);
        Gpt2Output out = model.forward(in);
        if (useCache) {
            KvCache old = cache;
            cache = out.presents().attach(manager);
            if (old != null) {
                old.close();
            }
        }
        return out.logits().toType(DataType.FLOAT32, false).toFloatArray();
    }

    @Override
    public void close() {
        if (cache != null) {
            cache.close();
            cache = null;
        }
    }
}
