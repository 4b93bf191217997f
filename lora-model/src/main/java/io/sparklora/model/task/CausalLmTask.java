package io.sparklora.model.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.sparklora.model.gpt2.Gpt2Input;
import io.sparklora.model.gpt2.Gpt2LMHeadModel;
import io.sparklora.model.gpt2.LmLoss;
import io.sparklora.model.nn.Module;

/**
 * GPT-2 as a trainer's task: microsoft/LoRA's E2E loss on the reference tokens (targets already
 * shifted, -1 elsewhere), summed over tokens so partitions can add their sums and counts.
 */
public final class CausalLmTask implements TaskModel {
    private final Gpt2LMHeadModel model;
    private final float labelSmoothing;

    public CausalLmTask(Gpt2LMHeadModel model, float labelSmoothing) {
        this.model = model;
        this.labelSmoothing = labelSmoothing;
    }

    public Gpt2LMHeadModel gpt2() {
        return model;
    }

    @Override
    public Module module() {
        return model;
    }

    private LmLoss lmLoss(Batch b) {
        if (b.lmLabels == null) {
            throw new IllegalArgumentException("a causal LM batch needs per-token labels");
        }
        NDArray mask = b.lmLabels.neq(-1).toType(DataType.FLOAT32, false);
        return model.loss(Gpt2Input.of(b.inputIds).attentionMask(b.attentionMask), b.lmLabels, mask, labelSmoothing);
    }

    @Override
    public LossSum loss(Batch b) {
        LmLoss l = lmLoss(b);
        return new LossSum(l.sum(), l.countValue());
    }

    /** Per-example sums of token losses {@code [B]} (for perplexity on a dev set). */
    @Override
    public NDArray predict(Batch b) {
        NDArray logits = model.forward(Gpt2Input.of(b.inputIds).attentionMask(b.attentionMask)).logits();
        NDArray mask = b.lmLabels.neq(-1).toType(DataType.FLOAT32, false);
        NDArray target = b.lmLabels.maximum(0);
        NDArray nll = logits.logSoftmax(-1).gather(target.expandDims(-1), -1).squeeze(-1).neg();
        return nll.mul(mask).sum(new int[] {1});
    }

    /** The last id (GPT-2's end-of-text, 50256); padded positions are masked and ignored anyway. */
    @Override
    public int padId() {
        return model.config().vocabSize() - 1;
    }
}
