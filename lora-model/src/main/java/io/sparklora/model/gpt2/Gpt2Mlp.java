package io.sparklora.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Linear;
import io.sparklora.model.nn.Ops;
import io.sparklora.model.nn.Module;

/** GPT-2's feed-forward block ({@code mlp}): {@code c_proj(gelu_new(c_fc(x)))}. */
public final class Gpt2Mlp extends Module {
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);

    Gpt2Mlp(NDManager manager, Gpt2Config config) {
        super(manager);
        registerChild("c_fc", new Linear(manager, config.nEmbd(), config.nInner(), true, true));
        registerChild("c_proj", new Linear(manager, config.nInner(), config.nEmbd(), true, true));
    }

    NDArray forward(NDArray x) {
        NDArray h = ((Linear) children().get("c_fc")).forward(x);
        return ((Linear) children().get("c_proj")).forward(geluTanh(h));
    }

    /**
     * GELU, tanh approximation (Hugging Face's {@code gelu_new}, model.py's {@code gelu}), with its
     * derivative computed alongside: when recording, autograd keeps that one tensor instead of the
     * six intermediate products of the formula (≈ 60 MB less per GPT-2 small layer at 8 × 128 tokens).
     */
    static NDArray geluTanh(NDArray x) {
        NDArray[] valueAndSlope = Autograd.noGrad(() -> {
            NDArray square = x.mul(x);
            NDArray t = Ops.scale(Ops.scale(square.mul(x), 0.044715f).add(x), SQRT_2_OVER_PI).tanh();
            NDArray onePlusT = t.add(1f);
            NDArray y = Ops.scale(x, 0.5f).mul(onePlusT);
            // d/dx = ½(1+t) + ½x(1−t²)·√(2/π)(1 + 3·0.044715x²)
            NDArray inner = Ops.scale(Ops.scale(square, 3 * 0.044715f).add(1f), SQRT_2_OVER_PI);
            NDArray slope = Ops.scale(onePlusT, 0.5f)
                    .add(Ops.scale(x, 0.5f).mul(t.mul(t).neg().add(1f)).mul(inner));
            return new NDArray[] {y, slope};
        });
        if (!JniUtils.isGradMode()) {
            return valueAndSlope[0];
        }
        // Value y, gradient slope·upstream: x·slope − stop(x·slope) is exactly 0 and differentiates to slope.
        NDArray linear = x.mul(valueAndSlope[1]);
        return linear.sub(linear.stopGradient()).add(valueAndSlope[0]);
    }
}
