package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.Fixture;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.TensorSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The golden test's safetensors reader loads what the fixture reader loads. */
class SafetensorsTestSourceTest {

    @Test
    void loadsTheFixtureBaseCheckpoint() throws Exception {
        Fixture f = Fixture.load("bert_lora_cls");
        Path file = Path.of(SafetensorsTestSourceTest.class.getResource("/fixtures/bert_lora_cls.base.safetensors").toURI());
        BertConfig cfg = BertConfig.fromJson(f.json.get("config"), "bert_lora_cls");
        try (NDManager m = NDManager.newBaseManager()) {
            BertForSequenceClassification viaReader = new BertForSequenceClassification(m, cfg);
            viaReader.loadStateDict(new SafetensorsTestSource(file), true);
            BertForSequenceClassification viaFixture = new BertForSequenceClassification(m, cfg);
            try (NDManager tmp = m.newSubManager()) {
                viaFixture.loadStateDict(TensorSource.of(
                        BertLoraFixtureTest.tensorsIn(f, ".base.safetensors", tmp), "fixture"), true);
            }
            viaFixture.namedParameters().forEach((n, p) -> assertArrayEquals(p.array().toFloatArray(),
                    viaReader.namedParameters().get(n).array().toFloatArray(), n));
            try (NDManager s = m.newSubManager()) {
                BertInputs in = BertLoraFixtureTest.inputs(f, s);
                NDArray a = Autograd.noGrad(() -> viaReader.logits(in));
                NDArray b = Autograd.noGrad(() -> viaFixture.logits(in));
                assertArrayEquals(b.toFloatArray(), a.toFloatArray());
            }
        }
    }
}
