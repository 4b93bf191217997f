package io.sparklora.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.sparklora.model.Fixture;
import io.sparklora.model.lora.Bias;
import io.sparklora.model.lora.Lora;
import io.sparklora.model.lora.LoraInjector;
import io.sparklora.model.lora.LoraLayer;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Param;
import io.sparklora.model.nn.TensorSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reproduces {@code gpt2_lora} (microsoft/LoRA's NLG GPT-2 with loralib MergedLinear on c_attn). */
class Gpt2LoraFixtureTest {
    private static Fixture f;

    @BeforeAll
    static void load() {
        f = Fixture.load("gpt2_lora");
    }

    static Gpt2Config config(Fixture f) {
        JsonNode c = f.json.get("config");
        return Gpt2Config.builder().nLayer(c.get("n_layer").asInt()).nEmbd(c.get("n_embd").asInt())
                .nHead(c.get("n_head").asInt()).vocabSize(c.get("vocab_size").asInt())
                .nPositions(c.get("n_positions").asInt()).nCtx(c.get("n_ctx").asInt())
                .layerNormEpsilon((float) c.get("layer_norm_epsilon").asDouble()).build();
    }

    /** The fixture's model: HF names, LoRA r=4, alpha=32 on q and v of every c_attn. */
    static Gpt2LMHeadModel build(NDManager m, boolean mergeWeights) {
        JsonNode lora = f.json.get("lora");
        Gpt2LMHeadModel model = Gpt2LMHeadModel.build(config(f), m);
        LoraInjector.inject(model, LoraSpec.builder().targetModules("c_attn")
                .enableLora("c_attn", true, false, true).r(lora.get("r").asInt())
                .alpha((float) lora.get("lora_alpha").asDouble()).mergeWeights(mergeWeights).build());
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = f.json.get("tensors").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().get("role").asText().equals("param")) {
                tensors.put(e.getKey(), f.array(m, e.getKey()));
            }
        }
        List<String> unused = model.loadStateDict(TensorSource.of(tensors, "gpt2_lora fixture"), true);
        assertTrue(unused.isEmpty());
        tensors.values().forEach(NDArray::close);
        return model;
    }

    @Test
    void namesTrainableParametersAndLoraStateDictMatchTheOracle() {
        try (NDManager m = NDManager.newBaseManager()) {
            Gpt2LMHeadModel model = build(m, false);
            List<String> expectedState = new ArrayList<>();
            f.json.get("nlg_to_hf_name_map").fields().forEachRemaining(e -> {
                if (!e.getKey().startsWith("lm_head.")) { // tied to wte, not a tensor of its own
                    expectedState.add(e.getKey());
                }
            });
            assertEquals(expectedState, new ArrayList<>(model.stateDict().keySet()), "state_dict keys");

            List<String> trainable = new ArrayList<>();
            f.json.get("trainable_after_mark_only_lora_as_trainable").forEach(n -> trainable.add(n.asText()));
            assertEquals(trainable, new ArrayList<>(Lora.trainableParameters(model).keySet()));

            for (String mode : List.of("none", "all", "lora_only")) {
                List<String> keys = new ArrayList<>();
                f.json.get("lora_state_dict_keys").get(mode).forEach(n -> keys.add(n.asText()));
                assertEquals(keys, new ArrayList<>(Lora.loraStateDict(model, Bias.parse(mode)).keySet()),
                        "lora_state_dict keys, bias=" + mode);
            }
        }
    }

    @Test
    void trainForwardLossesGradientsAndEvalMatchTheOracle() {
        try (NDManager m = NDManager.newBaseManager()) {
            Gpt2LMHeadModel model = build(m, false);
            model.train();
            try (NDManager step = m.newSubManager()) {
                NDArray ids = f.array(step, "input_ids");
                NDArray labels = f.array(step, "labels");
                NDArray mask = f.array(step, "lm_mask");
                Map<String, NDArray> debug = new HashMap<>();
                Gpt2Output out = Autograd.record(() -> model.forward(
                        Gpt2Input.of(ids).tap((name, x) -> debug.put("debug." + name, x))));
                f.assertClose("logits_train", out.logits());
                for (String name : List.of("debug.embeddings", "debug.h.0.attn.c_attn.output", "debug.h.0.output",
                        "debug.h.1.attn.c_attn.output", "debug.h.1.output", "debug.final_hidden")) {
                    assertNotNull(debug.get(name), "no intermediate " + name);
                    f.assertClose(name, debug.get(name));
                }

                LmLoss ce = Autograd.record(() -> Gpt2LMHeadModel.loss(out.logits(), labels, mask, 0f));
                f.assertClose("loss_ce", ce.mean().toFloatArray(), f.shape("loss_ce"));
                float count = 0;
                for (float v : f.floats("lm_mask")) {
                    count += v;
                }
                assertEquals(count, ce.countValue(), 0f, "mask count");
                assertEquals(ce.meanValue(), ce.sumValue() / (count + LmLoss.EPSILON), 1e-6f, "sum / count");
                Autograd.backward(ce.mean());
                assertGradients(model, "grad_ce.", step);

                LmLoss ls = Autograd.record(() -> {
                    NDArray logits = model.forward(Gpt2Input.of(ids)).logits();
                    return Gpt2LMHeadModel.loss(logits, labels, mask, 0.1f);
                });
                f.assertClose("loss_ls", ls.mean().toFloatArray(), f.shape("loss_ls"));
                Autograd.backward(ls.mean());
                assertGradients(model, "grad_ls.", step);

                // The path training uses (no logits tensor, analytic head gradient): same oracle.
                for (float smoothing : new float[] {0f, 0.1f}) {
                    String name = smoothing == 0f ? "ce" : "ls";
                    LmLoss chunked = Autograd.record(() -> model.loss(Gpt2Input.of(ids), labels, mask, smoothing));
                    f.assertClose("loss_" + name, chunked.mean().toFloatArray(), f.shape("loss_" + name));
                    Autograd.backward(chunked.mean());
                    assertGradients(model, "grad_" + name + ".", step);
                }

                NDArray logits = Autograd.noGrad(() -> model.logits(ids));
                f.assertClose("loss_ce_nomask",
                        Gpt2LMHeadModel.loss(logits, labels, null, 0f).mean().toFloatArray(), f.shape("loss_ce"));
                f.assertClose("loss_ls_nomask",
                        Gpt2LMHeadModel.loss(logits, labels, null, 0.1f).mean().toFloatArray(), f.shape("loss_ls"));
            }

            model.eval(); // merge_weights=False: nothing merges
            model.namedModules().values().stream().filter(x -> x instanceof LoraLayer)
                    .forEach(x -> assertFalse(((LoraLayer) x).isMerged()));
            try (NDManager step = m.newSubManager()) {
                f.assertClose("logits_eval_unmerged",
                        Autograd.noGrad(() -> model.logits(f.array(step, "input_ids"))));
            }
        }
    }

    /** Each LoRA tensor's gradient matches; frozen weights have none. Zeroes the gradients after. */
    private static void assertGradients(Gpt2LMHeadModel model, String prefix, NDManager step) {
        for (Map.Entry<String, Param> e : model.namedParameters().entrySet()) {
            Param p = e.getValue();
            if (f.has(prefix + e.getKey())) {
                assertTrue(p.requiresGrad(), e.getKey() + " should train");
                NDArray g = Autograd.gradient(p, step);
                assertNotNull(g, "no gradient for " + e.getKey());
                f.assertClose(prefix + e.getKey(), g);
                Autograd.zeroGradient(p);
            } else {
                assertFalse(p.requiresGrad(), e.getKey() + " should be frozen");
                assertFalse(p.array().hasGradient(), e.getKey() + " is frozen but has a gradient buffer");
            }
        }
    }

    @Test
    void mergedEvalMatchesTheOracle() {
        try (NDManager m = NDManager.newBaseManager()) {
            Gpt2LMHeadModel model = build(m, true);
            model.eval();
            for (int i = 0; i < 2; i++) {
                String name = "transformer.h." + i + ".attn.c_attn";
                assertTrue(((LoraLayer) model.module(name)).isMerged());
                f.assertClose("merged." + name + ".weight", model.namedParameters().get(name + ".weight").array());
            }
            try (NDManager step = m.newSubManager()) {
                NDArray logits = Autograd.noGrad(() -> model.logits(f.array(step, "input_ids")));
                f.assertClose("logits_eval_merged", logits);
                f.assertClose("loss_ce_eval_merged", Gpt2LMHeadModel.loss(logits, f.array(step, "labels"),
                        f.array(step, "lm_mask"), 0f).mean().toFloatArray(), f.shape("loss_ce_eval_merged"));
            }
        }
    }
}
