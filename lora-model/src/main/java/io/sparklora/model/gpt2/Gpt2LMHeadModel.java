package io.sparklora.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.nn.Embedding;
import io.sparklora.model.nn.Linear;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.Ops;
import io.sparklora.model.nn.Param;
import io.sparklora.model.nn.ParamInit;

import java.util.Map;
import java.util.Objects;

/**
 * GPT-2 causal language model with Hugging Face's parameter names ({@code transformer.wte.weight},
 * {@code transformer.h.N.attn.c_attn.weight}, ...). The LM head is tied to {@code transformer.wte}
 * and not a separate tensor, so state dicts have no {@code lm_head.weight}. The loss is
 * microsoft/LoRA's ({@code examples/NLG/src/model.py}), see {@link #loss}.
 *
 * <p>There is no dropout: microsoft/LoRA's NLG model has none, and with LoRA dropout 0 train and eval
 * forward passes only differ in whether LoRA weights are merged.
 */
public final class Gpt2LMHeadModel extends Module {
    private final Gpt2Config config;

    private Gpt2LMHeadModel(NDManager manager, Gpt2Config config) {
        super(manager);
        this.config = config;
        registerChild("transformer", new Gpt2Model(manager, config));
    }

    /**
     * A GPT-2 with GPT-2's random initialisation (weights N(0, 0.02), biases 0, LayerNorm 1/0),
     * owned by {@code manager}. Load pretrained weights with {@link #loadStateDict} (see
     * {@link Gpt2Checkpoints#huggingFace}), then add LoRA with {@code LoraInjector.inject}. Inside
     * {@link ParamInit#forCheckpoint} the weights are left uninitialised for that load to fill.
     */
    public static Gpt2LMHeadModel build(Gpt2Config config, NDManager manager) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(manager, "manager");
        Gpt2LMHeadModel model = new Gpt2LMHeadModel(manager, config);
        if (!ParamInit.uninitialised()) {
            model.initWeights();
        }
        return model;
    }

    private void initWeights() {
        try (NDManager tmp = manager().newSubManager()) {
            for (Map.Entry<String, Module> e : namedModules().entrySet()) {
                Module m = e.getValue();
                if (m instanceof Linear || m instanceof Embedding) {
                    Param w = m.param("weight");
                    w.load(e.getKey() + ".weight", tmp.randomNormal(0f, 0.02f, w.shape(), DataType.FLOAT32));
                    Param b = m.param("bias");
                    if (b != null) {
                        b.load(e.getKey() + ".bias", tmp.zeros(b.shape()));
                    }
                }
            }
        }
    }

    public Gpt2Config config() {
        return config;
    }

    public Gpt2Model transformer() {
        return (Gpt2Model) children().get("transformer");
    }

    /** Logits {@code [B, T, V]} for token ids {@code [B, T]}, no cache, no padding. */
    public NDArray logits(NDArray inputIds) {
        return forward(Gpt2Input.of(inputIds)).logits();
    }

    /** A forward pass; every result belongs to the manager of {@code inputIds}. */
    public Gpt2Output forward(Gpt2Input input) {
        Objects.requireNonNull(input, "input");
        Gpt2Model.Hidden hidden = transformer().forward(input);
        NDArray h = hidden.states();
        if (input.lastPositionOnly) {
            h = h.get(new NDIndex(":, -1:, :"));
        }
        // Tied head: x·wteᵀ with the activation first, so the logits stay in the step's manager.
        NDArray logits = Ops.linear(h, transformer().wte().weight().array(), null);
        return new Gpt2Output(logits, hidden.presents());
    }

    /** {@link #loss(NDArray, NDArray, NDArray, float)} without label smoothing. */
    public LmLoss loss(NDArray logits, NDArray labels, NDArray lmMask) {
        return loss(logits, labels, lmMask, 0f);
    }

    /**
     * microsoft/LoRA's loss: per-token cross entropy against {@code labels} (already shifted targets;
     * -1 = ignored, loss 0 there), or with {@code labelSmooth > 0.0001}
     * {@code (1−ls)·nll + ls·(−mean over the vocabulary of log_softmax)}; then
     * {@code Σ per_token·lm_mask / (Σ lm_mask + 0.0001)}. Call it inside {@code Autograd.record} to
     * back-propagate. model.py would fail on a -1 label with smoothing; here it counts as ignored.
     *
     * @param logits {@code [B, T, V]}
     * @param labels {@code [B, T]} integer targets in {@code [-1, V)}
     * @param lmMask {@code [B, T]} float weights (0 = not counted), or null for all ones
     */
    public static LmLoss loss(NDArray logits, NDArray labels, NDArray lmMask, float labelSmooth) {
        Objects.requireNonNull(logits, "logits");
        Shape ls = logits.getShape();
        if (ls.dimension() != 3) {
            throw new IllegalArgumentException("logits must be [batch, seq, vocab], got " + ls);
        }
        NDArray target = checkedTarget(new Shape(ls.get(0), ls.get(1)), ls.get(2), labels, lmMask, labelSmooth);
        NDArray logp = logits.logSoftmax(-1);
        NDArray valid = target.neq(-1);
        NDArray safeTarget = target.mul(valid.toType(DataType.INT64, false));
        NDArray perToken = logp.gather(safeTarget.expandDims(-1), -1).squeeze(-1).neg();
        if (labelSmooth > 0.0001f) {
            NDArray smooth = logp.mean(new int[] {-1}).neg();
            perToken = Ops.scale(perToken, 1f - labelSmooth).add(Ops.scale(smooth, labelSmooth));
        }
        perToken = perToken.mul(valid.toType(DataType.FLOAT32, false));
        NDArray mask = lmMask == null ? perToken.onesLike() : lmMask.toType(DataType.FLOAT32, false);
        NDArray sum = perToken.mul(mask).sum();
        NDArray count = mask.sum();
        NDArray mean = sum.div(count.add(LmLoss.EPSILON));
        return new LmLoss(sum, count, mean);
    }

    /**
     * The {@linkplain #loss(NDArray, NDArray, NDArray, float) same loss} for {@code input}'s tokens,
     * computed from the final hidden states: with the tied head frozen (LoRA training) through
     * {@link ChunkedLmLoss}, which never holds the {@code [B, T, V]} logits and skips uncounted
     * positions; otherwise through the logits.
     */
    public LmLoss loss(Gpt2Input input, NDArray labels, NDArray lmMask, float labelSmooth) {
        Objects.requireNonNull(input, "input");
        if (input.lastPositionOnly || input.useCache) {
            throw new IllegalArgumentException("the loss needs every position and no cache");
        }
        Param wte = transformer().wte().weight();
        NDArray h = transformer().forward(input).states();
        if (wte.requiresGrad()) {
            return loss(Ops.linear(h, wte.array(), null), labels, lmMask, labelSmooth);
        }
        Shape bt = new Shape(h.getShape().get(0), h.getShape().get(1));
        NDArray target = checkedTarget(bt, config.vocabSize(), labels, lmMask, labelSmooth);
        NDArray mask = lmMask == null ? target.onesLike().toType(DataType.FLOAT32, false)
                : lmMask.toType(DataType.FLOAT32, false);
        return ChunkedLmLoss.compute(h, wte.array(), target, mask, labelSmooth, ChunkedLmLoss.CHUNK_ELEMENTS);
    }

    /** Checks labels ({@code bt}, integers in {@code [-1, vocab)}), mask and smoothing; labels as int64. */
    private static NDArray checkedTarget(Shape bt, long vocab, NDArray labels, NDArray lmMask, float labelSmooth) {
        Objects.requireNonNull(labels, "labels");
        if (!labels.getShape().equals(bt) || !labels.getDataType().isInteger()) {
            throw new IllegalArgumentException("labels must be integer " + bt + ", got "
                    + labels.getDataType() + labels.getShape());
        }
        if (lmMask != null && !lmMask.getShape().equals(bt)) {
            throw new IllegalArgumentException("lmMask must be " + bt + ", got " + lmMask.getShape());
        }
        if (!(labelSmooth >= 0f && labelSmooth < 1f)) {
            throw new IllegalArgumentException("labelSmooth must be in [0, 1), got " + labelSmooth);
        }
        NDArray target = labels.toType(DataType.INT64, false);
        long min = target.min().getLong();
        long max = target.max().getLong();
        if (min < -1 || max >= vocab) {
            throw new IllegalArgumentException("labels must lie in [-1, " + vocab + "), got values from "
                    + min + " to " + max);
        }
        return target;
    }
}
