package io.sparklora.job.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.engine.Engine;
import io.sparklora.model.lora.Bias;
import io.sparklora.model.lora.Lora;
import io.sparklora.model.lora.LoraConfig;
import io.sparklora.model.lora.LoraLinear;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Param;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * A one-minute end-to-end LoRA run of the library, no data needed: a frozen random layer learns a
 * hidden low-rank change through A and B only, then eval() merges ΔW into W and the merged layer
 * must compute what the unmerged one did.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train one LoRA layer on a synthetic low-rank target, merge it, and check the merge.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--steps", defaultValue = "300", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        if (steps <= 0) {
            throw new IllegalArgumentException("--steps must be positive, got " + steps);
        }
        Engine.getInstance().setRandomSeed((int) seed);
        int in = 64;
        int out = 32;
        try (NDManager root = NDManager.newBaseManager()) {
            LoraLinear layer = LoraLinear.builder().inFeatures(in).outFeatures(out)
                    .optLora(new LoraConfig(4, 8, 0, true)).build(root);
            Lora.markOnlyLoraAsTrainable(layer, Bias.NONE);
            // The target differs from the frozen layer by a rank-2 matrix, which rank-4 LoRA can learn.
            NDArray u = root.randomNormal(new Shape(out, 2));
            NDArray v = root.randomNormal(new Shape(2, in)).div(Math.sqrt(in));
            NDArray target = layer.weight().array().add(u.matMul(v));
            float first = 0;
            float last = 0;
            for (int step = 1; step <= steps; step++) {
                try (NDManager s = root.newSubManager()) {
                    NDArray x = s.randomNormal(new Shape(32, in));
                    NDArray y = x.matMul(target.transpose());
                    NDArray loss = Autograd.record(() -> layer.forward(x).sub(y).square().mean());
                    Autograd.backward(loss);
                    last = loss.getFloat();
                    first = step == 1 ? last : first;
                    Autograd.noGrad(() -> {
                        for (Param p : Lora.trainableParameters(layer).values()) {
                            p.array().subi(Autograd.gradient(p, s).mul(0.05f));
                            Autograd.zeroGradient(p);
                        }
                        return null;
                    });
                    if (step % 50 == 0 || step == steps) {
                        System.out.printf(Locale.ROOT, "step %4d/%d  loss %.5f%n", step, steps, last);
                    }
                }
            }
            NDArray probe = root.randomNormal(new Shape(8, in));
            float[] unmerged = Autograd.noGrad(() -> layer.forward(probe)).toFloatArray();
            layer.eval();
            float[] merged = Autograd.noGrad(() -> layer.forward(probe)).toFloatArray();
            double maxDiff = 0;
            for (int i = 0; i < merged.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(merged[i] - unmerged[i]));
            }
            System.out.printf(Locale.ROOT, "loss %.5f -> %.5f; merged vs unmerged max |diff| %.2e%n", first, last, maxDiff);
            boolean ok = last < first * 0.1 && maxDiff < 1e-4;
            System.out.println(ok ? "demo OK" : "demo FAILED");
            return ok ? 0 : 1;
        }
    }
}
