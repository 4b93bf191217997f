package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.lora.Lora;
import io.sparklora.model.lora.LoraInjector;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Param;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hundreds of LoRA training steps of a tiny classifier must not grow the number of live NDArrays. */
class BertNativeMemoryTest {

    static BertConfig tinyConfig(BertConfig.ModelType type, int numLabels) {
        return BertConfig.builder(type).vocabSize(50).hiddenSize(16).numHiddenLayers(2).numAttentionHeads(2)
                .intermediateSize(32).maxPositionEmbeddings(24).numLabels(numLabels).build();
    }

    @ParameterizedTest
    @EnumSource(BertConfig.ModelType.class)
    void trainingStepsDoNotLeak(BertConfig.ModelType type) {
        try (NDManager root = NDManager.newBaseManager()) {
            BertForSequenceClassification model =
                    new BertForSequenceClassification(root.newSubManager(), tinyConfig(type, 3));
            LoraInjector.inject(model, LoraSpec.builder().targetModules("query", "value").r(4).alpha(8)
                    .dropout(0.1f).modulesToSave(model.headModules().toArray(new String[0])).build());
            Map<String, Param> trainable = Lora.trainableParameters(model);
            int before = -1;
            float firstLoss = 0;
            float lastLoss = 0;
            for (int step = 0; step < 200; step++) {
                try (NDManager s = root.newSubManager()) {
                    // The same batch every step: the loss must fall, so the updates really happen.
                    NDArray ids = s.arange(0, 24, 1, DataType.INT64).reshape(4, 6).add(2);
                    NDArray mask = s.ones(new Shape(4, 6), DataType.INT64);
                    mask.set(new ai.djl.ndarray.index.NDIndex("3, 4:"), 0);
                    NDArray labels = s.create(new long[] {0, 1, 2, 1});
                    NDArray loss = Autograd.record(() -> {
                        NDArray logits = model.logits(BertInputs.of(ids, mask));
                        return model.lossSum(logits, labels).mean();
                    });
                    Autograd.backward(loss);
                    float l = loss.getFloat();
                    if (step == 0) {
                        firstLoss = l;
                    }
                    lastLoss = l;
                    Autograd.noGrad(() -> {
                        for (Param p : trainable.values()) {
                            NDArray g = Autograd.gradient(p, s);
                            p.array().subi(g.mul(0.05f));
                            Autograd.zeroGradient(p);
                        }
                        return null;
                    });
                }
                if (step == 10) {
                    model.eval(); // merge and unmerge once, as evaluation between epochs would
                    model.train();
                    before = root.getManagedArrays().size();
                }
            }
            assertEquals(before, root.getManagedArrays().size(), "live NDArrays grew during training");
            assertTrue(Float.isFinite(lastLoss) && lastLoss < firstLoss * 0.5, "loss fell from " + firstLoss + " to " + lastLoss);
        }
    }
}
