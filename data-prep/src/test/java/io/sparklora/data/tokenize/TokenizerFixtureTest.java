package io.sparklora.data.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklora.data.TestFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Compares our tokenizers with fixtures made by the reference implementations: microsoft/LoRA's
 * {@code encoder.py} (GPT-2) and google-research/bert's {@code FullTokenizer} (WordPiece).
 */
class TokenizerFixtureTest {

    private static TextTokenizer gpt2;
    private static TextTokenizer bert;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @BeforeAll
    static void load() {
        gpt2 = Tokenizers.create(Tokenizers.spec(TokenizerKind.GPT2, TestFiles.repoData().resolve("vocab/gpt2")), 0);
        bert = Tokenizers.create(Tokenizers.spec(TokenizerKind.BERT,
                TestFiles.repoData().resolve("vocab/bert-base-uncased/vocab.txt")), 0);
    }

    @AfterAll
    static void close() {
        gpt2.close();
        bert.close();
    }

    @Test
    void gpt2IdsEqualLoraEncoderAndDecodeBack() throws IOException {
        JsonNode root = MAPPER.readTree(TestFiles.resource("fixtures/gpt2_bpe_e2e_valid.json").toFile());
        int n = 0;
        for (JsonNode c : root.get("cases")) {
            String text = c.get("text").asText();
            int[] expected = ints(c.get("ids"));
            int[] actual = gpt2.encodeIds(text);
            assertArrayEquals(expected, actual, "ids of " + text);
            assertEquals(text, gpt2.decode(actual, false), "decode of " + text);
            // encode() adds nothing for GPT-2 when no truncation applies
            assertArrayEquals(expected, gpt2.encode(text).ids());
            n++;
        }
        assertEquals(404, n);
    }

    @Test
    void bertTokensAndIdsEqualGoogleFullTokenizer() throws IOException {
        JsonNode root = MAPPER.readTree(TestFiles.resource("fixtures/bert_wordpiece_glue_dev.json").toFile());
        int cls = 101;
        int sep = 102;
        int singles = 0;
        int pairs = 0;
        for (JsonNode c : root.get("cases")) {
            String a = c.get("text_a").asText();
            assertEquals(strings(c.get("tokens_a")), bert.tokens(a), "tokens of " + a);
            int[] idsA = ints(c.get("ids_a"));
            assertArrayEquals(idsA, bert.encodeIds(a), "ids of " + a);
            if (c.has("text_b") && !c.get("text_b").isNull()) {
                String b = c.get("text_b").asText();
                assertEquals(strings(c.get("tokens_b")), bert.tokens(b), "tokens of " + b);
                int[] idsB = ints(c.get("ids_b"));
                Encoded pair = bert.encodePair(a, b);
                int[] expected = concat(new int[] {cls}, idsA, new int[] {sep}, idsB, new int[] {sep});
                assertArrayEquals(expected, pair.ids(), "pair ids of " + a + " / " + b);
                int[] types = new int[expected.length];
                for (int i = idsA.length + 2; i < types.length; i++) {
                    types[i] = 1;
                }
                assertArrayEquals(types, pair.typeIds(), "token types of " + a + " / " + b);
                pairs++;
            } else {
                Encoded single = bert.encode(a);
                assertArrayEquals(concat(new int[] {cls}, idsA, new int[] {sep}), single.ids());
                assertArrayEquals(new int[idsA.length + 2], single.typeIds());
                singles++;
            }
        }
        assertEquals(204, singles);
        assertEquals(100, pairs);
    }

    @Test
    void robertaUsesItsPairTemplateWithoutTokenTypes() {
        TokenizerSpec spec = Tokenizers.spec(TokenizerKind.ROBERTA, TestFiles.repoData().resolve("vocab/gpt2"));
        try (TextTokenizer roberta = Tokenizers.create(spec, 0)) {
            int[] a = gpt2.encodeIds("Hello world");
            int[] b = gpt2.encodeIds("Second one");
            Encoded single = roberta.encode("Hello world");
            Encoded pair = roberta.encodePair("Hello world", "Second one");
            int bos = 50257;
            int eos = 50258;
            assertArrayEquals(concat(new int[] {bos}, a, new int[] {eos}), single.ids());
            assertArrayEquals(concat(new int[] {bos}, a, new int[] {eos, eos}, b, new int[] {eos}), pair.ids());
            assertNull(pair.typeIds());
            assertEquals("Hello worldSecond one", roberta.decode(pair.ids(), true));
        }
    }

    @Test
    void truncationIsLongestFirstForPairs() {
        TokenizerSpec spec = Tokenizers.spec(TokenizerKind.BERT,
                TestFiles.repoData().resolve("vocab/bert-base-uncased/vocab.txt"));
        try (TextTokenizer t = Tokenizers.create(spec, 10)) {
            Encoded e = t.encodePair("a b c d e f g h", "x y");
            assertEquals(10, e.length());
            assertTrue(e.truncated());
            // 10 - 3 specials = 7 tokens: the long first segment loses tokens, the short one keeps both
            assertEquals(List.of("[CLS]", "a", "b", "c", "d", "e", "[SEP]", "x", "y", "[SEP]"),
                    tokensOf(t, e.ids()));
            Encoded s = t.encode("a b");
            assertEquals(4, s.length());
            assertTrue(!s.truncated());
        }
    }

    private static List<String> tokensOf(TextTokenizer t, int[] ids) {
        List<String> r = new ArrayList<>();
        for (int id : ids) {
            r.add(t.decode(new int[] {id}, false));
        }
        return r;
    }

    static int[] ints(JsonNode arr) {
        int[] r = new int[arr.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = arr.get(i).asInt();
        }
        return r;
    }

    static List<String> strings(JsonNode arr) {
        List<String> r = new ArrayList<>();
        arr.forEach(n -> r.add(n.asText()));
        return r;
    }

    static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) {
            n += p.length;
        }
        int[] r = new int[n];
        int k = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, r, k, p.length);
            k += p.length;
        }
        return r;
    }
}
