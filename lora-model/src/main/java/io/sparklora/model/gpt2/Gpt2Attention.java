package io.sparklora.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.nn.Linear;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.Ops;

import java.util.function.BiConsumer;

/**
 * GPT-2 causal self-attention ({@code attn}): fused {@code c_attn} (q|k|v, Conv1D layout), scaled
 * dot-product attention with the causal mask, {@code c_proj}. Like microsoft/LoRA's model, the mask
 * is a {@code [1, 1, n_ctx, n_ctx]} lower-triangular buffer named {@code bias}; masked scores become
 * {@code w·b − 1e10·(1 − b)}, so a fully masked row (a padding query) stays finite.
 */
public final class Gpt2Attention extends Module {
    private static final float MASKED = 1e10f;

    private final int nHead;
    private final int nEmbd;
    private final int nCtx;
    private final NDArray causal;

    Gpt2Attention(NDManager manager, Gpt2Config config) {
        super(manager);
        this.nHead = config.nHead();
        this.nEmbd = config.nEmbd();
        this.nCtx = config.nCtx();
        float[] tril = new float[nCtx * nCtx];
        for (int i = 0; i < nCtx; i++) {
            for (int j = 0; j <= i; j++) {
                tril[i * nCtx + j] = 1f;
            }
        }
        this.causal = Ops.owned(manager, tril, new Shape(1, 1, nCtx, nCtx));
        registerBuffer("bias", causal);
        registerChild("c_attn", new Linear(manager, nEmbd, 3 * nEmbd, true, true));
        registerChild("c_proj", new Linear(manager, nEmbd, nEmbd, true, true));
    }

    /** Looked up on every call: LoRA injection replaces these children. */
    private Linear child(String name) {
        return (Linear) children().get(name);
    }

    /** Output, and this layer's keys and values over past and current positions. */
    record Result(NDArray output, NDArray key, NDArray value) {}

    /**
     * @param x {@code [B, T, C]}
     * @param padMask {@code [B, 1, 1, S]} float 0/1, or null
     */
    Result forward(NDArray x, NDArray padMask, NDArray pastKey, NDArray pastValue,
                   String name, BiConsumer<String, NDArray> tap) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int headDim = nEmbd / nHead;
        NDArray qkv = child("c_attn").forward(x);
        if (tap != null) {
            tap.accept(name + ".c_attn.output", qkv);
        }
        NDList parts = qkv.split(new long[] {nEmbd, 2L * nEmbd}, 2);
        NDArray q = splitHeads(parts.get(0), b, t, headDim);
        NDArray k = splitHeads(parts.get(1), b, t, headDim);
        NDArray v = splitHeads(parts.get(2), b, t, headDim);
        if (pastKey != null) {
            k = pastKey.concat(k, 2);
            v = pastValue.concat(v, 2);
            k.attach(x.getManager());
            v.attach(x.getManager());
        }
        long s = k.getShape().get(2);
        if (s > nCtx) {
            throw new IllegalArgumentException("sequence of " + s + " positions exceeds n_ctx " + nCtx);
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2));
        NDArray w = scores.div(Ops.scalar(scores, (float) Math.sqrt(headDim)));
        NDArray allowed = Ops.scoped(causal.get(new NDIndex(":, :, {}:{}, :{}", s - t, s, s)), x);
        if (padMask != null) {
            allowed = allowed.mul(padMask);
        }
        w = w.mul(allowed).sub(allowed.neg().add(1f).mul(MASKED));
        NDArray a = w.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, t, nEmbd);
        return new Result(child("c_proj").forward(a), k, v);
    }

    private NDArray splitHeads(NDArray x, long b, long t, int headDim) {
        return x.reshape(b, t, nHead, headDim).transpose(0, 2, 1, 3);
    }
}
