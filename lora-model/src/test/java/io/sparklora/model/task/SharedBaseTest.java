package io.sparklora.model.task;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.bert.BertConfig;
import io.sparklora.model.bert.BertForSequenceClassification;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Param;
import io.sparklora.model.nn.TensorSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two task models on one base model hold the frozen weights once and compute as if each had its own. */
class SharedBaseTest {
    private static final String CONFIG = "{\"model_type\":\"bert\",\"vocab_size\":60,\"hidden_size\":16,"
            + "\"num_hidden_layers\":2,\"num_attention_heads\":2,\"intermediate_size\":32,"
            + "\"max_position_embeddings\":20,\"type_vocab_size\":2,\"layer_norm_eps\":1e-12,\"pad_token_id\":0,"
            + "\"hidden_act\":\"gelu\",\"hidden_dropout_prob\":0.0,\"attention_probs_dropout_prob\":0.0}";
    private static final LoraSpec LORA = LoraSpec.builder().targetModules("query", "value").r(2).alpha(4).build();

    @Test
    void sharedModelsComputeLikeSeparateOnes() {
        ModelSpec sst2 = new ModelSpec(ModelSpec.Family.BERT, CONFIG, LORA, 2, 0f);
        ModelSpec stsb = new ModelSpec(ModelSpec.Family.BERT, CONFIG, LORA, 1, 0f);
        List<Example> data = List.of(
                new Example(0, "a", new int[] {2, 7, 9, 3}, null, 1, 0.7f, null),
                new Example(1, "b", new int[] {2, 11, 3}, null, 0, 0.2f, null));
        try (NDManager m = NDManager.newBaseManager()) {
            TensorSource base = randomBase(m);
            Engine.getInstance().setRandomSeed(5);
            TaskModel owner = sst2.build(base, m.newSubManager(), false);
            Engine.getInstance().setRandomSeed(6);
            TaskModel alone = stsb.build(base, m.newSubManager(), false);
            Engine.getInstance().setRandomSeed(6);
            NDManager sharedManager = m.newSubManager();
            TaskModel shared = stsb.build(base, sharedManager, false);
            int n = shared.module().shareFrozenParameters(owner.module());

            Map<String, Param> mine = shared.module().namedParameters();
            Map<String, Param> theirs = owner.module().namedParameters();
            long frozen = mine.values().stream().filter(p -> !p.requiresGrad()).count();
            assertTrue(n > 0 && n == frozen, n + " of " + frozen + " frozen parameters shared");
            assertSame(theirs.get("bert.encoder.layer.0.attention.self.query.weight").array(),
                    mine.get("bert.encoder.layer.0.attention.self.query.weight").array());
            assertTrue(mine.get("classifier.weight").requiresGrad(), "the head stays the task's own");

            float[][] a = lossAndGrad(alone, data, m);
            float[][] b = lossAndGrad(shared, data, m);
            assertArrayEquals(a[0], b[0], 0f, "loss");
            assertArrayEquals(a[1], b[1], 0f, "LoRA gradient");

            Param q = mine.get("bert.encoder.layer.0.attention.self.query.weight");
            assertThrows(IllegalStateException.class, () -> q.load("q", new float[(int) q.shape().size()]));
            assertThrows(IllegalStateException.class, () -> q.setRequiresGrad(true));

            // Closing the borrower leaves the owner's weights intact.
            shared.module().close();
            sharedManager.close();
            float[][] before = lossAndGrad(owner, data, m);
            float[][] after = lossAndGrad(owner, data, m);
            assertTrue(Float.isFinite(after[0][0]));
            assertArrayEquals(before[1], after[1], 0f);
        }
    }

    @Test
    void mergingIntoASharedWeightIsRefused() {
        ModelSpec spec = new ModelSpec(ModelSpec.Family.BERT, CONFIG, LORA, 2, 0f);
        try (NDManager m = NDManager.newBaseManager()) {
            TensorSource base = randomBase(m);
            TaskModel owner = spec.build(base, m.newSubManager(), false);
            TaskModel merging = spec.build(base, m.newSubManager(), true);
            merging.module().shareFrozenParameters(owner.module());
            assertThrows(IllegalStateException.class, () -> merging.module().eval());
        }
    }

    /** A pretrained checkpoint's shape: random encoder and pooler, no classifier. */
    private static TensorSource randomBase(NDManager m) {
        Engine.getInstance().setRandomSeed(1);
        BertForSequenceClassification init = new BertForSequenceClassification(m, BertConfig.fromJson(
                new ByteArrayInputStream(CONFIG.getBytes(StandardCharsets.UTF_8)), "test"));
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        init.namedParameters().forEach((k, p) -> {
            if (!k.startsWith("classifier.")) {
                tensors.put(k, p.array());
            }
        });
        return TensorSource.of(tensors, "random base");
    }

    private static float[][] lossAndGrad(TaskModel model, List<Example> data, NDManager m) {
        model.module().train();
        try (NDManager s = m.newSubManager()) {
            Batch batch = Batch.of(data, model.padId(), s);
            LossSum loss = Autograd.record(() -> model.loss(batch));
            Autograd.backward(loss.sum());
            Param a = model.module().namedParameters().get("bert.encoder.layer.1.attention.self.value.lora_A");
            NDArray g = Autograd.gradient(a, s);
            float[][] out = {{loss.sum().getFloat()}, g.toFloatArray()};
            model.module().namedParameters().values().forEach(p -> {
                if (p.requiresGrad()) {
                    Autograd.zeroGradient(p);
                }
            });
            return out;
        }
    }
}
