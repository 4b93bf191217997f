package io.sparklora.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Ops;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link Gpt2LMHeadModel#loss}'s value and gradient for a frozen tied head, without the
 * {@code [B, T, V]} logits: only the counted positions go through the head, {@value #CHUNK_ELEMENTS}
 * logits at a time, and the gradient with respect to the hidden states is computed right there,
 * {@code dL/dz = w·(softmax(z) − (1−ls)·onehot(target) − ls/V)}, {@code dL/dh = dL/dz · wte}.
 * For GPT-2 small at 8 × 128 tokens that is 32 MB of logits alive instead of about 0.8 GB (logits,
 * log-softmax and their two gradients), and the prompt positions of E2E cost nothing.
 *
 * <p>The returned sum is {@code s − stop(s) + L} with {@code s = Σ h_counted · dL/dh}: its value is the
 * loss {@code L}, its gradient flows to the hidden states (and so to LoRA) through autograd.
 */
final class ChunkedLmLoss {
    /** Logits computed at once: 8M floats (32 MB), 166 positions of GPT-2's vocabulary. */
    static final long CHUNK_ELEMENTS = 8L << 20;

    private ChunkedLmLoss() {}

    /**
     * @param hidden {@code [B, T, C]} final hidden states (after {@code ln_f})
     * @param wte {@code [V, C]} the tied, frozen head
     * @param target {@code [B, T]} int64 targets in {@code [-1, V)} (checked by the caller)
     * @param mask {@code [B, T]} float weights
     * @param chunkElements logits per chunk ({@link #CHUNK_ELEMENTS}; smaller in tests)
     */
    static LmLoss compute(NDArray hidden, NDArray wte, NDArray target, NDArray mask, float labelSmooth,
                          long chunkElements) {
        NDManager m = hidden.getManager();
        long c = hidden.getShape().get(2);
        long v = wte.getShape().get(0);
        NDArray weight = mask.mul(target.neq(-1).toType(DataType.FLOAT32, false)).reshape(-1);
        NDArray rows = weight.neq(0f).nonzero().reshape(-1);
        long counted = rows.getShape().get(0);
        NDArray count = mask.sum();
        if (counted == 0) {
            NDArray zero = Ops.scale(hidden.sum(), 0f);
            return new LmLoss(zero, count, zero.div(count.add(LmLoss.EPSILON)));
        }
        // A differentiable row selection: autograd scatters the gradient back to the positions.
        NDArray picked = hidden.reshape(-1, c).gather(rows.reshape(counted, 1).broadcast(new Shape(counted, c)), 0);
        NDArray h = picked.stopGradient();
        NDArray t = target.reshape(-1).gather(rows, 0);
        NDArray w = weight.gather(rows, 0);
        // Recording means training (DJL cannot tell whether a non-leaf array has a gradient).
        boolean needGrad = JniUtils.isGradMode();
        long chunk = Math.max(1, chunkElements / v);
        List<NDArray> grads = new ArrayList<>();
        // Nothing in the chunks is recorded: the head is frozen and h is detached.
        double lossSum = Autograd.noGrad(() -> {
            double total = 0;
            for (long from = 0; from < counted; from += chunk) {
                NDIndex range = new NDIndex("{}:{}", from, Math.min(counted, from + chunk));
                total += chunk(h.get(range), t.get(range), w.get(range), wte, labelSmooth, needGrad ? grads : null);
            }
            return total;
        });
        NDArray sum = m.full(new Shape(), (float) lossSum, DataType.FLOAT32);
        if (needGrad) {
            NDArray dh = grads.size() == 1 ? grads.get(0) : NDArrays.concat(new NDList(grads.toArray(new NDArray[0])), 0);
            NDArray s = picked.mul(dh).sum();
            sum = s.sub(s.stopGradient()).add(sum);
        }
        return new LmLoss(sum, count, sum.div(count.add(LmLoss.EPSILON)));
    }

    /**
     * One chunk of counted positions: returns {@code Σ w·loss} and, with {@code grads}, adds
     * {@code dL/dh} to it (in the manager of {@code h}). The chunk's logits are freed on return.
     */
    private static double chunk(NDArray h, NDArray t, NDArray w, NDArray wte, float labelSmooth, List<NDArray> grads) {
        NDManager outer = h.getManager();
        long v = wte.getShape().get(0);
        try (NDManager scope = outer.newSubManager()) {
            h.attach(scope);
            t.attach(scope);
            w.attach(scope);
            NDArray logp = Ops.linear(h, wte, null).logSoftmax(-1);
            NDArray perToken = logp.gather(t.expandDims(-1), -1).squeeze(-1).neg();
            boolean smooth = labelSmooth > 0.0001f;
            if (smooth) {
                NDArray uniform = logp.mean(new int[] {-1}).neg();
                perToken = perToken.mul(1f - labelSmooth).add(uniform.mul(labelSmooth));
            }
            double sum = perToken.mul(w).sum().getFloat();
            if (grads != null) {
                NDArray g = logp.exp().sub(t.oneHot((int) v).mul(1f - labelSmooth));
                if (smooth) {
                    g = g.sub(labelSmooth / v);
                }
                NDArray dh = g.mul(w.expandDims(-1)).matMul(wte);
                dh.attach(outer);
                grads.add(dh);
            }
            return sum;
        }
    }
}
