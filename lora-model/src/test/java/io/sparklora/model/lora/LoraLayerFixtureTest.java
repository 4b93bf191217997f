package io.sparklora.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.sparklora.model.Fixture;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.Param;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reproduces every loralib layer fixture: train/eval outputs, merged weights and gradients. */
class LoraLayerFixtureTest {

    /** A layer built from a fixture's hyper-parameters, with its forward function. */
    record Built(Module module, LoraLayer lora, UnaryOperator<NDArray> forward) {}

    static Built build(Fixture f, NDManager m, boolean mergeWeights) {
        JsonNode h = f.hyper();
        LoraConfig cfg = new LoraConfig(h.get("r").asInt(), (float) h.get("lora_alpha").asDouble(),
                (float) h.path("lora_dropout").asDouble(0), mergeWeights);
        switch (f.json.get("oracle").asText()) {
            case "loralib.Linear": {
                LoraLinear l = LoraLinear.builder().inFeatures(h.get("in_features").asInt())
                        .outFeatures(h.get("out_features").asInt()).optBias(h.get("bias").asBoolean())
                        .optFanInFanOut(h.get("fan_in_fan_out").asBoolean()).optLora(cfg).build(m);
                return new Built(l, l, l::forward);
            }
            case "loralib.MergedLinear": {
                JsonNode e = h.get("enable_lora");
                boolean[] enable = new boolean[e.size()];
                for (int i = 0; i < enable.length; i++) {
                    enable[i] = e.get(i).asBoolean();
                }
                LoraMergedLinear l = LoraMergedLinear.builder().inFeatures(h.get("in_features").asInt())
                        .outFeatures(h.get("out_features").asInt()).optBias(h.get("bias").asBoolean())
                        .optFanInFanOut(h.get("fan_in_fan_out").asBoolean()).setEnableLora(enable)
                        .optLora(cfg).build(m);
                return new Built(l, l, l::forward);
            }
            case "loralib.Embedding": {
                Integer pad = h.has("padding_idx") ? h.get("padding_idx").asInt() : null;
                LoraEmbedding l = new LoraEmbedding(m, h.get("num_embeddings").asInt(),
                        h.get("embedding_dim").asInt(), pad, cfg);
                return new Built(l, l, l::forward);
            }
            case "loralib.Conv2d": {
                JsonNode kw = h.get("nn_conv2d_kwargs");
                LoraConv2d l = LoraConv2d.builder().inChannels(h.get("in_channels").asInt())
                        .outChannels(h.get("out_channels").asInt()).kernelSize(h.get("kernel_size").asInt())
                        .optStride(kw.path("stride").asInt(1)).optPadding(kw.path("padding").asInt(0))
                        .optBias(kw.path("bias").asBoolean(true)).optLora(cfg).build(m);
                return new Built(l, l, l::forward);
            }
            default:
                throw new IllegalArgumentException(f.json.get("oracle").asText());
        }
    }

    static void loadParams(Fixture f, Built b, NDManager m) {
        for (Iterator<Map.Entry<String, JsonNode>> it = f.json.get("tensors").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().get("role").asText().equals("param")) {
                Param p = b.module().param(e.getKey());
                assertNotNull(p, f.name + ": layer has no parameter " + e.getKey());
                p.load(e.getKey(), f.array(m, e.getKey()));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lora_linear", "lora_linear_fan_in_fan_out", "lora_linear_r0", "lora_embedding",
            "lora_embedding_padding_idx", "lora_merged_linear", "lora_merged_linear_fan_in_fan_out",
            "lora_conv2d", "lora_conv2d_stride2_nobias"})
    void reproducesLoralib(String name) {
        Fixture f = Fixture.load(name);
        try (NDManager m = NDManager.newBaseManager()) {
            Built b = build(f, m, true);
            assertParameterNamesAndFlags(f, b.module());
            loadParams(f, b, m);
            float[] weightBefore = b.module().param("weight").array().toFloatArray();
            b.module().train();
            assertFalse(b.lora().isMerged());

            try (NDManager step = m.newSubManager()) {
                NDArray x = f.array(step, "x");
                boolean xIsFloat = f.has("grad_x");
                if (xIsFloat) {
                    x.setRequiresGradient(true);
                }
                NDArray g = f.array(step, "g");
                NDArray y = Autograd.record(() -> b.forward().apply(x));
                NDArray loss = Autograd.record(() -> y.mul(g).sum());
                Autograd.backward(loss);
                f.assertClose("y_train", y);
                f.assertClose("loss", loss.toFloatArray(), f.shape("loss"));
                if (xIsFloat) {
                    f.assertClose("grad_x", x.getGradient());
                }
                for (Map.Entry<String, Param> e : b.module().namedParameters().entrySet()) {
                    NDArray grad = Autograd.gradient(e.getValue(), step);
                    String gradName = "grad_" + e.getKey();
                    if (f.has(gradName)) {
                        assertNotNull(grad, name + ": no gradient for " + e.getKey());
                        f.assertClose(gradName, grad);
                    } else {
                        assertNull(grad, name + ": " + e.getKey() + " is frozen but got a gradient");
                    }
                }
                assertEquals(f.json.get("checks").get("weight_grad_is_none").asBoolean(),
                        !b.module().param("weight").requiresGrad());
            }

            b.module().eval();
            assertTrue(b.lora().isMerged(), "eval() merges");
            f.assertClose("merged_weight", b.module().param("weight").array());
            try (NDManager step = m.newSubManager()) {
                NDArray y = Autograd.noGrad(() -> b.forward().apply(f.array(step, "x")));
                f.assertClose("y_eval", y);
            }

            b.module().train();
            assertFalse(b.lora().isMerged(), "train() unmerges");
            float[] roundTrip = b.module().param("weight").array().toFloatArray();
            double maxErr = f.json.get("checks").get("unmerge_roundtrip_weight_max_abs_err").asDouble();
            for (int i = 0; i < roundTrip.length; i++) {
                assertTrue(Math.abs(roundTrip[i] - weightBefore[i]) <= Math.max(2 * maxErr, 1e-6),
                        name + ": unmerge is not the inverse of merge at " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lora_linear", "lora_embedding", "lora_merged_linear_fan_in_fan_out", "lora_conv2d"})
    void mergeWeightsFalseLeavesWeightAlone(String name) {
        Fixture f = Fixture.load(name);
        try (NDManager m = NDManager.newBaseManager()) {
            Built b = build(f, m, false);
            loadParams(f, b, m);
            b.module().eval();
            assertFalse(b.lora().isMerged());
            assertArrayEquals(f.floats("weight"), b.module().param("weight").array().toFloatArray());
            try (NDManager step = m.newSubManager()) {
                f.assertClose("y_train", Autograd.noGrad(() -> b.forward().apply(f.array(step, "x"))));
            }
        }
    }

    private static void assertParameterNamesAndFlags(Fixture f, Module module) {
        List<String> expected = new ArrayList<>();
        List<String> expectedTrainable = new ArrayList<>();
        for (JsonNode p : f.json.get("named_parameters_after_construction")) {
            expected.add(p.get("name").asText());
            if (p.get("requires_grad").asBoolean()) {
                expectedTrainable.add(p.get("name").asText());
            }
        }
        assertEquals(expected, new ArrayList<>(module.namedParameters().keySet()), f.name + ": named_parameters");
        assertEquals(expectedTrainable, new ArrayList<>(Lora.trainableParameters(module).keySet()),
                f.name + ": trainable after construction");
        List<String> stateKeys = new ArrayList<>();
        f.json.get("state_dict_keys").forEach(k -> stateKeys.add(k.asText()));
        assertEquals(stateKeys, new ArrayList<>(module.stateDict().keySet()), f.name + ": state_dict keys");
    }
}
