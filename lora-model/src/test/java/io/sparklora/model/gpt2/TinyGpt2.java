package io.sparklora.model.gpt2;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.lora.LoraInjector;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Param;

import java.util.Map;

/** A tiny random LoRA GPT-2 for tests: 2 layers, 32 wide, 4 heads, vocab 100, 64 positions. */
public final class TinyGpt2 {
    private TinyGpt2() {}

    public static Gpt2Config config() {
        return Gpt2Config.builder().nLayer(2).nEmbd(32).nHead(4).vocabSize(100).nPositions(64).build();
    }

    /**
     * Built with a fixed seed; weights are scaled up from GPT-2's N(0, 0.02) so that next-token
     * distributions are peaked (near-ties would make token-equality tests depend on rounding), and
     * LoRA B is made non-zero so that LoRA changes the output.
     */
    public static Gpt2LMHeadModel build(NDManager manager, long seed, boolean mergeWeights) {
        Engine.getInstance().setRandomSeed((int) seed);
        Gpt2LMHeadModel model = Gpt2LMHeadModel.build(config(), manager);
        LoraInjector.inject(model, LoraSpec.builder().targetModules("c_attn").enableLora("c_attn", true, false, true)
                .r(4).alpha(32).mergeWeights(mergeWeights).build());
        Autograd.noGrad(() -> {
            for (Map.Entry<String, Param> e : model.namedParameters().entrySet()) {
                String n = e.getKey();
                if (n.endsWith("lora_B")) {
                    Param p = e.getValue();
                    try (NDManager tmp = manager.newSubManager()) {
                        p.load(n, tmp.randomNormal(0f, 0.05f, p.shape(), ai.djl.ndarray.types.DataType.FLOAT32));
                    }
                } else if (n.endsWith("weight") && !n.contains("ln_")) {
                    e.getValue().array().muli(n.contains("wte") ? 50f : 10f);
                }
            }
            return null;
        });
        return model;
    }
}
