package io.sparklora.model.lora;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklora.model.nn.Embedding;
import io.sparklora.model.nn.LayerNorm;
import io.sparklora.model.nn.Linear;
import io.sparklora.model.nn.Module;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** loralib's utils.py semantics on the two fixture models, for every bias mode. */
class LoraUtilsFixtureTest {
    private static final JsonNode FIXTURE = load();

    private static JsonNode load() {
        try (InputStream in = LoraUtilsFixtureTest.class.getResourceAsStream("/fixtures/lora_utils_trainable.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fixture's BasicModel: embedding, two blocks with LoRA query (bias) and value (no bias). */
    static final class BasicModel extends Module {
        BasicModel(NDManager m) {
            super(m);
            registerChild("embed", new Embedding(m, 10, 8));
            Layers layers = registerChild("layers", new Layers(m));
            for (int i = 0; i < 2; i++) {
                layers.add(String.valueOf(i), new Block(m));
            }
            registerChild("norm", new LayerNorm(m, 8, 1e-5f));
            registerChild("head", new Linear(m, 8, 2, true));
        }
    }

    static final class Layers extends Module {
        Layers(NDManager m) {
            super(m);
        }

        void add(String name, Module child) {
            registerChild(name, child);
        }
    }

    static final class Block extends Module {
        Block(NDManager m) {
            super(m);
            LoraConfig lora = new LoraConfig(2, 4, 0, true);
            registerChild("ln", new LayerNorm(m, 8, 1e-5f));
            registerChild("query", LoraLinear.builder().inFeatures(8).outFeatures(8).optLora(lora).build(m));
            registerChild("key", new Linear(m, 8, 8, true));
            registerChild("value", LoraLinear.builder().inFeatures(8).outFeatures(8).optBias(false).optLora(lora).build(m));
            registerChild("mlp", new Linear(m, 8, 8, true));
        }
    }

    /** The fixture's ExtendedModel: every loralib layer type. */
    static final class ExtendedModel extends Module {
        ExtendedModel(NDManager m) {
            super(m);
            registerChild("tok", new LoraEmbedding(m, 10, 8, null, new LoraConfig(2, 4, 0, true)));
            registerChild("qkv", LoraMergedLinear.builder().inFeatures(8).outFeatures(24)
                    .setEnableLora(true, false, true).optLora(new LoraConfig(2, 4, 0, true)).build(m));
            registerChild("r0", LoraLinear.builder().inFeatures(8).outFeatures(8).build(m));
            registerChild("conv", LoraConv2d.builder().inChannels(2).outChannels(2).kernelSize(1)
                    .optLora(new LoraConfig(1, 1, 0, true)).build(m));
            registerChild("bias_proj", new Linear(m, 8, 8, true));
            registerChild("ln", new LayerNorm(m, 8, 1e-5f));
            registerChild("head", LoraLinear.builder().inFeatures(8).outFeatures(2).optFanInFanOut(true)
                    .optLora(new LoraConfig(2, 4, 0, true)).build(m));
        }
    }

    private static Module build(String model, NDManager m) {
        return model.equals("BasicModel") ? new BasicModel(m) : new ExtendedModel(m);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.isTextual() ? n.asText() : n.get("name").asText()));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"BasicModel", "ExtendedModel"})
    void constructionMatchesTorch(String model) {
        JsonNode spec = FIXTURE.get("models").get(model);
        try (NDManager m = NDManager.newBaseManager()) {
            Module net = build(model, m);
            List<String> names = new ArrayList<>();
            List<String> trainable = new ArrayList<>();
            for (JsonNode p : spec.get("named_parameters")) {
                names.add(p.get("name").asText());
                if (p.get("requires_grad_after_construction").asBoolean()) {
                    trainable.add(p.get("name").asText());
                }
                assertEquals(p.get("shape").toString(),
                        shapeJson(net.namedParameters().get(p.get("name").asText()).shape().getShape()),
                        model + ": shape of " + p.get("name").asText());
            }
            assertEquals(names, new ArrayList<>(net.namedParameters().keySet()));
            assertEquals(trainable, new ArrayList<>(Lora.trainableParameters(net).keySet()));
            assertEquals(strings(spec.get("state_dict_keys")), new ArrayList<>(net.stateDict().keySet()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"BasicModel:none", "BasicModel:all", "BasicModel:lora_only",
            "ExtendedModel:none", "ExtendedModel:all", "ExtendedModel:lora_only"})
    void markOnlyLoraAsTrainableAndLoraStateDict(String modelAndMode) {
        String model = modelAndMode.split(":")[0];
        String mode = modelAndMode.split(":")[1];
        JsonNode expected = FIXTURE.get("models").get(model).get("modes").get(mode);
        try (NDManager m = NDManager.newBaseManager()) {
            Module net = build(model, m);
            Lora.markOnlyLoraAsTrainable(net, Bias.parse(mode));
            assertEquals(strings(expected.get("trainable_after_mark_only_lora_as_trainable")),
                    new ArrayList<>(Lora.trainableParameters(net).keySet()), modelAndMode + " trainable");
            var sd = Lora.loraStateDict(net, mode);
            assertEquals(strings(expected.get("lora_state_dict_keys")), new ArrayList<>(sd.keySet()),
                    modelAndMode + " lora_state_dict keys");
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.get("lora_state_dict_shapes").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                assertEquals(e.getValue().toString(), shapeJson(sd.get(e.getKey()).getShape().getShape()), e.getKey());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"BasicModel", "ExtendedModel"})
    void invalidModeFailsAfterFreezing(String model) {
        JsonNode expected = FIXTURE.get("models").get(model).get("invalid_mode");
        try (NDManager m = NDManager.newBaseManager()) {
            Module net = build(model, m);
            String bogus = expected.get("bias").asText();
            assertThrows(UnsupportedOperationException.class, () -> Lora.markOnlyLoraAsTrainable(net, bogus));
            assertEquals(strings(expected.get("trainable_after_failed_call")),
                    new ArrayList<>(Lora.trainableParameters(net).keySet()));
            assertThrows(UnsupportedOperationException.class, () -> Lora.loraStateDict(net, bogus));
        }
    }

    @Test
    void preFrozenLoraParameterStaysFrozen() {
        JsonNode scenario = FIXTURE.get("scenario_prefrozen_lora_param");
        try (NDManager m = NDManager.newBaseManager()) {
            Module net = new BasicModel(m);
            net.namedParameters().get("layers.0.query.lora_B").setRequiresGrad(false);
            Lora.markOnlyLoraAsTrainable(net, Bias.NONE);
            assertEquals(strings(scenario.get("trainable_after")), new ArrayList<>(Lora.trainableParameters(net).keySet()));
        }
    }

    private static String shapeJson(long[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ",").append(shape[i]);
        }
        return sb.append(']').toString();
    }
}
