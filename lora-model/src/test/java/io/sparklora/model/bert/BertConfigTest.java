package io.sparklora.model.bert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparklora.model.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BertConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode fixtureConfig(String name) {
        return (ObjectNode) Fixture.load(name).json.get("config").deepCopy();
    }

    @Test
    void readsTheFixtureConfigs() {
        BertConfig bert = BertConfig.fromJson(fixtureConfig("bert_lora_cls"), "bert");
        assertEquals(BertConfig.ModelType.BERT, bert.modelType());
        assertEquals(32, bert.hiddenSize());
        assertEquals(4, bert.numAttentionHeads());
        assertEquals(8, bert.headDim());
        assertEquals(2, bert.numHiddenLayers());
        assertEquals(64, bert.intermediateSize());
        assertEquals(100, bert.vocabSize());
        assertEquals(40, bert.maxPositionEmbeddings());
        assertEquals(2, bert.typeVocabSize());
        assertEquals(1e-12f, bert.layerNormEps());
        assertEquals(0, bert.padTokenId());
        assertEquals(0f, bert.hiddenDropoutProb());
        assertEquals(2, bert.numLabels());
        assertEquals(BertConfig.ProblemType.SINGLE_LABEL_CLASSIFICATION, bert.problemType());
        assertEquals(40, bert.maxSequenceLength());

        BertConfig roberta = BertConfig.fromJson(fixtureConfig("roberta_lora_reg"), "roberta");
        assertTrue(roberta.isRoberta());
        assertEquals(1, roberta.typeVocabSize());
        assertEquals(1, roberta.padTokenId());
        assertEquals(1e-5f, roberta.layerNormEps());
        assertEquals(1, roberta.numLabels());
        assertEquals(BertConfig.ProblemType.REGRESSION, roberta.problemType());
        assertEquals(38, roberta.maxSequenceLength());
    }

    @Test
    void readsAFileWithLabelsAndProblemType(@TempDir Path dir) throws Exception {
        ObjectNode c = fixtureConfig("bert_lora_cls");
        c.remove("num_labels");
        c.putObject("id2label").put("0", "negative").put("1", "neutral").put("2", "positive");
        c.put("problem_type", "single_label_classification");
        Path file = dir.resolve("config.json");
        Files.writeString(file, JSON.writeValueAsString(c));
        BertConfig cfg = BertConfig.fromJson(file);
        assertEquals(3, cfg.numLabels());
        assertEquals(Map.of(0, "negative", 1, "neutral", 2, "positive"), cfg.id2label());
        assertEquals(BertConfig.ProblemType.SINGLE_LABEL_CLASSIFICATION, cfg.problemType());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BertConfig.fromJson(c.deepCopy().put("num_labels", 2), "cfg"));
        assertTrue(e.getMessage().contains("num_labels"), e.getMessage());
        assertThrows(UncheckedIOException.class, () -> BertConfig.fromJson(dir.resolve("missing.json")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"model_type", "hidden_size", "num_attention_heads", "num_hidden_layers",
            "intermediate_size", "max_position_embeddings", "type_vocab_size", "vocab_size", "layer_norm_eps",
            "pad_token_id", "hidden_act"})
    void aMissingKeyIsNamed(String key) {
        ObjectNode c = fixtureConfig("roberta_lora_cls");
        c.remove(key);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BertConfig.fromJson(c, "some/config.json"));
        assertTrue(e.getMessage().contains("some/config.json") && e.getMessage().contains("\"" + key + "\""),
                e.getMessage());
    }

    @Test
    void invalidValuesAreNamed() {
        assertMessage(fixtureConfig("bert_lora_cls").put("hidden_act", "gelu_new"), "hidden_act");
        assertMessage(fixtureConfig("bert_lora_cls").put("hidden_size", "32"), "hidden_size");
        assertMessage(fixtureConfig("bert_lora_cls").put("hidden_size", 30), "num_attention_heads");
        assertMessage(fixtureConfig("bert_lora_cls").put("model_type", "gpt2"), "model_type");
        assertMessage(fixtureConfig("bert_lora_cls").put("problem_type", "multi_label_classification"), "problem_type");
        assertMessage(fixtureConfig("bert_lora_cls").put("problem_type", "regression"), "regression");
        assertMessage(fixtureConfig("bert_lora_cls").put("layer_norm_eps", 0), "layer_norm_eps");
        assertMessage(fixtureConfig("bert_lora_cls").put("pad_token_id", 100), "pad_token_id");
        assertMessage(fixtureConfig("bert_lora_cls").put("position_embedding_type", "relative_key"),
                "position_embedding_type");
    }

    private static void assertMessage(ObjectNode config, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BertConfig.fromJson(config, "cfg"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void buildsInCode() {
        BertConfig base = BertConfig.builder().build();
        assertEquals(30522, base.vocabSize());
        assertEquals(768, base.hiddenSize());
        assertEquals(512, base.maxSequenceLength());
        BertConfig roberta = BertConfig.builder(BertConfig.ModelType.ROBERTA).numLabels(1).build();
        assertEquals(BertConfig.ProblemType.REGRESSION, roberta.problemType());
        assertEquals(512, roberta.maxSequenceLength());
        assertEquals(roberta.toString(), roberta.toBuilder().build().toString());
        assertThrows(IllegalArgumentException.class, () -> BertConfig.builder().numLabels(0).build());
        assertThrows(IllegalArgumentException.class, () -> BertConfig.builder().hiddenDropoutProb(1f).build());
    }
}
