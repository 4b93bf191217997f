package io.sparklora.data.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Derives a RoBERTa-style tokenizer.json from a GPT-2 one: the same byte-level BPE, with RoBERTa's
 * post-processor {@code <s> A </s>} and {@code <s> A </s></s> B </s>} (all token types 0).
 *
 * <p>Real RoBERTa checkpoints use a different id order (and add {@code <pad>}, {@code <unk>},
 * {@code <mask>}); they ship their own tokenizer.json, which should be passed to {@link Tokenizers}
 * directly. This derived form exists because no RoBERTa vocabulary is bundled: here {@code <s>} and
 * {@code </s>} are added as two new ids after the GPT-2 vocabulary (50257 and 50258) unless the vocab
 * already holds them.
 */
public final class RobertaTokenizerJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RobertaTokenizerJson() {}

    /** Returns the RoBERTa tokenizer.json text built from a GPT-2 tokenizer.json text. */
    public static String fromGpt2(String gpt2TokenizerJson) {
        try {
            ObjectNode root = (ObjectNode) MAPPER.readTree(gpt2TokenizerJson);
            JsonNode model = root.path("model");
            if (!"BPE".equals(model.path("type").asText("BPE")) || !model.has("vocab")) {
                throw new IllegalArgumentException("not a GPT-2 BPE tokenizer.json (model.vocab missing)");
            }
            ObjectNode vocab = (ObjectNode) model.get("vocab");
            ArrayNode added = root.has("added_tokens") && root.get("added_tokens").isArray()
                    ? (ArrayNode) root.get("added_tokens") : root.putArray("added_tokens");
            int next = maxId(vocab, added) + 1;
            int bos = idOf(vocab, added, "<s>");
            if (bos < 0) {
                bos = next++;
                addSpecial(added, "<s>", bos);
            }
            int eos = idOf(vocab, added, "</s>");
            if (eos < 0) {
                eos = next;
                addSpecial(added, "</s>", eos);
            }
            ObjectNode post = MAPPER.createObjectNode();
            post.put("type", "RobertaProcessing");
            post.putArray("sep").add("</s>").add(eos);
            post.putArray("cls").add("<s>").add(bos);
            post.put("trim_offsets", true);
            post.put("add_prefix_space", false);
            root.set("post_processor", post);
            return MAPPER.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException("invalid GPT-2 tokenizer.json", e);
        }
    }

    private static int maxId(ObjectNode vocab, ArrayNode added) {
        int max = -1;
        for (JsonNode id : (Iterable<JsonNode>) vocab::elements) {
            max = Math.max(max, id.asInt());
        }
        for (JsonNode t : added) {
            max = Math.max(max, t.path("id").asInt());
        }
        return max;
    }

    private static int idOf(ObjectNode vocab, ArrayNode added, String token) {
        if (vocab.has(token)) {
            return vocab.get(token).asInt();
        }
        for (JsonNode t : added) {
            if (token.equals(t.path("content").asText())) {
                return t.path("id").asInt();
            }
        }
        return -1;
    }

    private static void addSpecial(ArrayNode added, String content, int id) {
        ObjectNode t = added.addObject();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", true);
    }
}
