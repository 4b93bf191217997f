package io.sparklora.data.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a Hugging Face {@code tokenizer.json} for uncased BERT WordPiece from a plain {@code vocab.txt}
 * (one token per line, the line number is the id), so that the Rust tokenizer behind DJL's
 * {@code HuggingFaceTokenizer} does what google-research/bert's {@code FullTokenizer(do_lower_case=True)}
 * does: clean control characters, split CJK characters, lower-case, strip accents, split on whitespace
 * and punctuation, then greedy longest-match WordPiece with {@code ##} continuations, {@code [UNK]} for
 * words longer than 100 characters or without a match. The post-processor is
 * {@code [CLS] $A [SEP] $B:1 [SEP]:1}, which gives token type 0 to the first segment and 1 to the second.
 *
 * <p>The BERT importer writes this file next to converted checkpoints, so keep the output stable.
 */
public final class BertTokenizerJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private BertTokenizerJson() {}

    /** Reads {@code vocab.txt} and returns the tokenizer.json text. */
    public static String fromVocab(Path vocabTxt) {
        if (vocabTxt == null || !Files.isRegularFile(vocabTxt)) {
            throw new IllegalArgumentException("BERT vocab.txt not found: " + vocabTxt);
        }
        try {
            return fromVocabLines(Files.readAllLines(vocabTxt, StandardCharsets.UTF_8), vocabTxt.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read BERT vocab " + vocabTxt, e);
        }
    }

    /** Reads the vocab from a reader (for example one opened on a Hadoop file system). */
    public static String fromVocab(BufferedReader reader, String sourceName) throws IOException {
        return fromVocabLines(reader.lines().toList(), sourceName);
    }

    /** Writes tokenizer.json for {@code vocabTxt} to {@code target} atomically and returns {@code target}. */
    public static Path write(Path vocabTxt, Path target) throws IOException {
        String json = fromVocab(vocabTxt);
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".tokenizer", ".json.tmp");
        try {
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    static String fromVocabLines(List<String> lines, String sourceName) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            // google-research/bert strips each line; an empty line would still take an id slot.
            String token = lines.get(i).strip();
            if (i == lines.size() - 1 && token.isEmpty()) {
                break;
            }
            if (vocab.putIfAbsent(token, i) != null) {
                throw new IllegalArgumentException(
                        sourceName + " line " + (i + 1) + ": duplicate token '" + token + "'");
            }
        }
        for (String special : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")) {
            if (!vocab.containsKey(special)) {
                throw new IllegalArgumentException(sourceName + ": vocab has no " + special + " token");
            }
        }
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String special : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")) {
            ObjectNode t = added.addObject();
            t.put("id", vocab.get(special));
            t.put("content", special);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        ObjectNode normalizer = root.putObject("normalizer");
        normalizer.put("type", "BertNormalizer");
        normalizer.put("clean_text", true);
        normalizer.put("handle_chinese_chars", true);
        normalizer.put("strip_accents", true);
        normalizer.put("lowercase", true);
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");

        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        special(single, "[CLS]", 0);
        sequence(single, "A", 0);
        special(single, "[SEP]", 0);
        ArrayNode pair = post.putArray("pair");
        special(pair, "[CLS]", 0);
        sequence(pair, "A", 0);
        special(pair, "[SEP]", 0);
        sequence(pair, "B", 1);
        special(pair, "[SEP]", 1);
        ObjectNode specials = post.putObject("special_tokens");
        for (String s : List.of("[CLS]", "[SEP]")) {
            ObjectNode n = specials.putObject(s);
            n.put("id", s);
            n.putArray("ids").add(vocab.get(s));
            n.putArray("tokens").add(s);
        }

        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "WordPiece");
        decoder.put("prefix", "##");
        // No clean-up: decoding must not re-join "it 's" into "it's" behind the caller's back.
        decoder.put("cleanup", false);

        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece");
        model.put("unk_token", "[UNK]");
        model.put("continuing_subword_prefix", "##");
        model.put("max_input_chars_per_word", 100);
        ObjectNode v = model.putObject("vocab");
        vocab.forEach(v::put);
        try {
            return MAPPER.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void special(ArrayNode template, String id, int typeId) {
        ObjectNode n = template.addObject().putObject("SpecialToken");
        n.put("id", id);
        n.put("type_id", typeId);
    }

    private static void sequence(ArrayNode template, String id, int typeId) {
        ObjectNode n = template.addObject().putObject("Sequence");
        n.put("id", id);
        n.put("type_id", typeId);
    }
}
