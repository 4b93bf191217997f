package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.sparklora.model.Fixture;
import io.sparklora.model.lora.Lora;
import io.sparklora.model.lora.LoraInjector;
import io.sparklora.model.lora.LoraLayer;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Param;
import io.sparklora.model.nn.TensorSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reproduces microsoft/LoRA's NLU models (its transformers 4.4.2 fork) with LoRA on query/value:
 * derived inputs, hidden states, logits, loss, gradients of every trainable parameter, merged weights
 * and merged-vs-unmerged outputs (fixtures g).
 */
class BertLoraFixtureTest {

    /** The fixture tensors stored in one of its files, as arrays in {@code m}. */
    static Map<String, NDArray> tensorsIn(Fixture f, String fileSuffix, NDManager m) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = f.json.get("tensors").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().get("file").asText().endsWith(fileSuffix)) {
                out.put(e.getKey(), f.array(m, e.getKey()));
            }
        }
        return out;
    }

    /** Builds the fixture's model, loads the base, injects LoRA as run_glue.py trains it, loads LoRA. */
    static BertForSequenceClassification buildLoraModel(Fixture f, NDManager m) {
        BertConfig config = BertConfig.fromJson(f.json.get("config"), f.name + ".json config");
        BertForSequenceClassification model = new BertForSequenceClassification(m, config);
        try (NDManager tmp = m.newSubManager()) {
            model.loadStateDict(TensorSource.of(tensorsIn(f, ".base.safetensors", tmp), f.name + " base"), true);
        }
        JsonNode c = f.json.get("config");
        LoraSpec spec = LoraSpec.builder().targetModules("query", "value").r(c.get("lora_r").asInt())
                .alpha((float) c.get("lora_alpha").asDouble())
                .modulesToSave(model.headModules().toArray(new String[0])).build();
        LoraInjector.Result r = LoraInjector.inject(model, spec);
        assertEquals(2 * config.numHiddenLayers(), r.loraModules().size());
        try (NDManager tmp = m.newSubManager()) {
            List<String> unused = model.loadStateDict(
                    TensorSource.of(tensorsIn(f, ".lora.safetensors", tmp), f.name + " lora"), false);
            assertEquals(List.of(), unused, "every LoRA tensor of the fixture has a place in the model");
        }
        return model;
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert_lora_cls", "bert_lora_reg", "roberta_lora_cls", "roberta_lora_reg"})
    void reproducesOracle(String name) {
        Fixture f = Fixture.load(name);
        try (NDManager m = NDManager.newBaseManager()) {
            BertForSequenceClassification model = buildLoraModel(f, m);
            List<String> expectedTrainable = new ArrayList<>();
            f.json.get("trainable_parameters").forEach(n -> expectedTrainable.add(n.asText()));
            assertEquals(expectedTrainable, new ArrayList<>(Lora.trainableParameters(model).keySet()));

            model.train();
            try (NDManager step = m.newSubManager()) {
                BertInputs in = inputs(f, step);
                NDArray labels = f.array(step, "labels");
                assertArrayEquals(f.array(step, "derived.position_ids").toLongArray(),
                        BertEmbeddings.positionIds(in.inputIds(), model.config()).toLongArray(), "position ids");
                f.assertClose("derived.extended_attention_mask", BertModel.extendedAttentionMask(in.attentionMask()));

                BertForSequenceClassification.Output out = Autograd.record(() -> model.forward(in));
                NDArray loss = Autograd.record(() -> model.loss(out.logits(), labels));
                Autograd.backward(loss);

                List<NDArray> hs = out.encoder().hiddenStates();
                assertEquals(model.config().numHiddenLayers() + 1, hs.size());
                for (int i = 0; i < hs.size(); i++) {
                    f.assertClose("hidden_states." + i, hs.get(i));
                }
                f.assertClose("last_hidden_state", out.encoder().lastHiddenState());
                f.assertClose("logits", out.logits());
                f.assertClose("loss", loss.toFloatArray(), f.shape("loss"));
                assertEquals(f.json.get("checks").get("loss_value").asDouble(), loss.getFloat(), 1e-5);

                for (Map.Entry<String, Param> e : model.namedParameters().entrySet()) {
                    NDArray grad = Autograd.gradient(e.getValue(), step);
                    if (expectedTrainable.contains(e.getKey())) {
                        assertNotNull(grad, name + ": no gradient for " + e.getKey());
                        f.assertClose("grad." + e.getKey(), grad);
                    } else {
                        assertFalse(e.getValue().array().hasGradient(), name + ": " + e.getKey() + " is frozen");
                        assertNull(grad, name + ": " + e.getKey() + " is frozen but got a gradient");
                    }
                }

                LossSum sum = Autograd.noGrad(() -> model.lossSum(out.logits(), labels));
                assertEquals(labels.size(), sum.count());
                f.assertClose("loss", sum.mean().toFloatArray(), f.shape("loss"));

                // The training path (last layer for the first position only) gives the same logits and gradients.
                for (String n : expectedTrainable) {
                    Autograd.zeroGradient(model.namedParameters().get(n));
                }
                NDArray fast = Autograd.record(() -> model.logits(in));
                Autograd.backward(Autograd.record(() -> model.loss(fast, labels)));
                f.assertClose("logits", fast);
                for (String n : expectedTrainable) {
                    f.assertClose("grad." + n, Autograd.gradient(model.namedParameters().get(n), step));
                }
            }

            model.eval();
            List<Boolean> mergedFlags = new ArrayList<>();
            model.namedModules().forEach((n, mod) -> {
                if (mod instanceof LoraLayer) {
                    mergedFlags.add(((LoraLayer) mod).isMerged());
                }
            });
            List<Boolean> expectedFlags = new ArrayList<>();
            f.json.get("checks").get("merged_flags_after_eval").forEach(b -> expectedFlags.add(b.asBoolean()));
            assertEquals(expectedFlags, mergedFlags);
            model.namedParameters().forEach((n, p) -> {
                if (f.has("merged." + n)) {
                    f.assertClose("merged." + n, p.array());
                }
            });
            try (NDManager step = m.newSubManager()) {
                BertInputs in = inputs(f, step);
                BertForSequenceClassification.Output out = Autograd.noGrad(() -> model.forward(in));
                NDArray loss = Autograd.noGrad(() -> model.loss(out.logits(), f.array(step, "labels")));
                f.assertClose("last_hidden_state_eval_merged", out.encoder().lastHiddenState());
                f.assertClose("logits_eval_merged", out.logits());
                f.assertClose("loss_eval_merged", loss.toFloatArray(), f.shape("loss_eval_merged"));
                // Merged (eval) and unmerged (train) logits agree within the train-mode tolerance.
                f.assertClose("logits", out.logits());
            }
            model.train();
            model.namedModules().values().forEach(mod -> {
                if (mod instanceof LoraLayer) {
                    assertFalse(((LoraLayer) mod).isMerged(), "train() unmerges");
                }
            });
            try (NDManager step = m.newSubManager()) {
                NDArray logits = Autograd.noGrad(() -> model.logits(inputs(f, step)));
                f.assertClose("logits", logits);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert_lora_cls", "roberta_lora_reg"})
    void withoutLoraTheLogitsDiffer(String name) {
        // The fixture records how far the LoRA-free logits are: a model that ignored LoRA would fail.
        Fixture f = Fixture.load(name);
        try (NDManager m = NDManager.newBaseManager()) {
            BertConfig config = BertConfig.fromJson(f.json.get("config"), name);
            BertForSequenceClassification model = new BertForSequenceClassification(m, config);
            try (NDManager tmp = m.newSubManager()) {
                model.loadStateDict(TensorSource.of(tensorsIn(f, ".base.safetensors", tmp), name), true);
            }
            try (NDManager step = m.newSubManager()) {
                float[] plain = Autograd.noGrad(() -> model.logits(inputs(f, step))).toFloatArray();
                float[] expected = f.floats("logits");
                double maxDiff = 0;
                for (int i = 0; i < plain.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(plain[i] - expected[i]));
                }
                assertEquals(f.json.get("checks").get("logits_without_lora_max_abs_diff").asDouble(), maxDiff, 1e-3);
                assertTrue(maxDiff > 0.1);
            }
        }
    }

    /**
     * A GC between forward and backward must not change the gradients. DJL's {@code mul(Number)}
     * keeps a scalar over a Java buffer that a GC frees while autograd still uses it; the model
     * and the LoRA layers use engine-allocated scalars ({@code Ops.scalar}) instead.
     */
    @ParameterizedTest
    @ValueSource(strings = {"bert_lora_cls", "roberta_lora_reg"})
    void gradientsSurviveAGcBetweenForwardAndBackward(String name) throws Exception {
        Fixture f = Fixture.load(name);
        try (NDManager m = NDManager.newBaseManager()) {
            BertForSequenceClassification model = buildLoraModel(f, m);
            model.train();
            try (NDManager step = m.newSubManager()) {
                BertInputs in = inputs(f, step);
                NDArray labels = f.array(step, "labels");
                NDArray loss = Autograd.record(() -> model.lossSum(model.logits(in), labels).mean());
                collectGarbageAndReuseFreedMemory();
                Autograd.backward(loss);
                for (Map.Entry<String, Param> e : Lora.trainableParameters(model).entrySet()) {
                    f.assertClose("grad." + e.getKey(), Autograd.gradient(e.getValue(), step));
                }
            }
        }
    }

    /** Frees unreachable direct buffers and fills fresh ones with NaN, so a stale pointer reads NaN. */
    static void collectGarbageAndReuseFreedMemory() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
        }
        List<java.nio.ByteBuffer> junk = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(4).order(java.nio.ByteOrder.nativeOrder());
            b.putFloat(0, Float.NaN);
            junk.add(b);
        }
        assertEquals(4000, junk.size());
    }

    static BertInputs inputs(Fixture f, NDManager step) {
        return new BertInputs(f.array(step, "input_ids"), f.array(step, "attention_mask"),
                f.has("token_type_ids") ? f.array(step, "token_type_ids") : null);
    }
}
