package io.sparklora.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.nn.Linear;
import io.sparklora.model.nn.Ops;
import io.sparklora.model.nn.Param;

import java.util.Arrays;

/**
 * loralib's {@code lora.MergedLinear}: one fused projection (for example GPT-2's q|k|v {@code c_attn})
 * whose output rows split into {@code enableLora.length} equal groups; each enabled group i gets its
 * own rank-r update {@code B_i·A_i}, disabled groups get none. A is {@code [r·nEnabled, in]}, B is
 * {@code [out/groups·nEnabled, r]}; block i uses rows {@code [i·r, (i+1)·r)} of A and
 * {@code [i·out/groups, (i+1)·out/groups)} of B.
 */
public final class LoraMergedLinear extends Linear implements LoraLayer {
    private final LoraConfig lora;
    private final boolean[] enableLora;
    private final int groupSize;
    private final int enabledCount;
    private final Param loraA;
    private final Param loraB;
    private boolean merged;

    private LoraMergedLinear(Linear base, boolean[] enable, LoraConfig lora) {
        super(base);
        this.lora = lora;
        this.enableLora = enable.clone();
        this.groupSize = outFeatures / enableLora.length;
        int n = 0;
        for (boolean e : enableLora) {
            n += e ? 1 : 0;
        }
        this.enabledCount = n;
        if (lora.r() > 0) {
            float bound = (float) (1.0 / Math.sqrt(inFeatures));
            loraA = registerParam("lora_A",
                    manager().randomUniform(-bound, bound, new Shape((long) lora.r() * n, inFeatures)), true);
            loraB = registerParam("lora_B", manager().zeros(new Shape((long) groupSize * n, lora.r())), true);
            weight.setRequiresGrad(false);
        } else {
            loraA = null;
            loraB = null;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Adds LoRA to an existing fused projection, taking over its weight and bias. */
    public static LoraMergedLinear wrap(Linear base, boolean[] enableLora, LoraConfig lora) {
        validate(base.outFeatures(), enableLora, lora);
        return new LoraMergedLinear(base, enableLora, lora);
    }

    @Override
    public LoraConfig loraConfig() {
        return lora;
    }

    @Override
    public boolean isMerged() {
        return merged;
    }

    public boolean[] enableLora() {
        return enableLora.clone();
    }

    public Param loraA() {
        return loraA;
    }

    public Param loraB() {
        return loraB;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray y = super.forward(x);
        if (lora.r() == 0 || merged) {
            return y;
        }
        NDArray h = Ops.dropout(x, lora.dropout(), isTraining());
        NDArray afterA = Ops.linear(h, loraA.array(), null); // [..., r·nEnabled]
        NDList blocks = new NDList(enableLora.length);
        Shape zerosShape = null;
        int e = 0;
        for (boolean enabled : enableLora) {
            if (enabled) {
                NDArray a = afterA.get(new NDIndex("..., {}:{}", e * lora.r(), (e + 1) * lora.r()));
                NDArray bi = Ops.scoped(loraB.array().get(new NDIndex("{}:{}", e * groupSize, (e + 1) * groupSize)), x);
                NDArray block = Ops.linear(a, bi, null);
                blocks.add(block);
                zerosShape = block.getShape();
                e++;
            } else {
                blocks.add(null);
            }
        }
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i) == null) {
                blocks.set(i, x.getManager().zeros(zerosShape));
            }
        }
        NDArray delta = blocks.size() == 1 ? blocks.head() : NDArrays.concat(blocks, -1);
        return y.add(Ops.scale(delta, lora.scaling()));
    }

    /** The full {@code [out, in]} update ΔW (unscaled), built in {@code manager}. */
    NDArray deltaWeight(NDManager manager) {
        NDList rows = new NDList(enableLora.length);
        int e = 0;
        for (boolean enabled : enableLora) {
            if (enabled) {
                NDArray bi = Ops.scoped(loraB.array().get(new NDIndex("{}:{}", e * groupSize, (e + 1) * groupSize)), manager);
                NDArray ai = Ops.scoped(loraA.array().get(new NDIndex("{}:{}", e * lora.r(), (e + 1) * lora.r())), manager);
                rows.add(bi.matMul(ai));
                e++;
            } else {
                rows.add(manager.zeros(new Shape(groupSize, inFeatures)));
            }
        }
        return NDArrays.concat(rows, 0);
    }

    @Override
    protected void onModeChange(boolean train) {
        merged = Merging.switchMode(train, merged, lora, weight, manager(), tmp -> {
            NDArray delta = deltaWeight(tmp).mul(lora.scaling());
            return fanInFanOut ? delta.transpose() : delta;
        });
    }

    private static void validate(int out, boolean[] enableLora, LoraConfig lora) {
        if (enableLora == null || enableLora.length == 0 || out % enableLora.length != 0) {
            throw new IllegalArgumentException("enable_lora " + Arrays.toString(enableLora)
                    + " must split out_features " + out + " into equal groups");
        }
        boolean any = false;
        for (boolean e : enableLora) {
            any |= e;
        }
        if (lora.r() > 0 && !any) {
            throw new IllegalArgumentException("enable_lora " + Arrays.toString(enableLora)
                    + " enables no group although r = " + lora.r() + "; use r = 0 for a plain layer");
        }
    }

    /** Builder in DJL's style. */
    public static final class Builder extends LinearBuilder<Builder> {
        private boolean[] enableLora = {false};

        @Override
        Builder self() {
            return this;
        }

        /** One flag per output group, e.g. {@code {true, false, true}} for q and v of q|k|v. */
        public Builder setEnableLora(boolean... enableLora) {
            this.enableLora = enableLora.clone();
            return this;
        }

        public LoraMergedLinear build(NDManager manager) {
            Linear base = base(manager, "LoraMergedLinear");
            try {
                validate(outFeatures(), enableLora, lora);
            } catch (IllegalArgumentException e) {
                base.close();
                throw e;
            }
            return new LoraMergedLinear(base, enableLora, lora);
        }
    }
}
