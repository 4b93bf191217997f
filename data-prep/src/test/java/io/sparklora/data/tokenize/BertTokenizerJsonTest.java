package io.sparklora.data.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklora.data.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BertTokenizerJsonTest {

    @TempDir
    Path tmp;

    @Test
    void writtenFileLoadsAndEncodesLikeTheInMemoryOne() throws Exception {
        Path vocab = TestFiles.repoData().resolve("vocab/bert-base-uncased/vocab.txt");
        Path json = BertTokenizerJson.write(vocab, tmp.resolve("model/tokenizer.json"));
        try (TextTokenizer fromFile = Tokenizers.create(Tokenizers.spec(TokenizerKind.BERT, json.getParent()), 0);
                TextTokenizer fromVocab = Tokenizers.create(Tokenizers.spec(TokenizerKind.BERT, vocab), 0)) {
            Encoded a = fromFile.encodePair("Héllo, World!", "second");
            Encoded b = fromVocab.encodePair("Héllo, World!", "second");
            assertArrayEquals(b.ids(), a.ids());
            assertArrayEquals(b.typeIds(), a.typeIds());
            assertEquals("[CLS] hello , world ! [SEP] second [SEP]", fromFile.decode(a.ids(), false));
        }
        try (var files = Files.list(json.getParent())) {
            assertEquals(1, files.count()); // no temporary file left behind
        }
    }

    @Test
    void rejectsVocabWithoutSpecialsOrWithDuplicates() throws Exception {
        Path v = tmp.resolve("vocab.txt");
        Files.writeString(v, "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BertTokenizerJson.fromVocab(v));
        assertTrue(e.getMessage().contains("[MASK]"));
        Files.writeString(v, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nhello\n");
        e = assertThrows(IllegalArgumentException.class, () -> BertTokenizerJson.fromVocab(v));
        assertTrue(e.getMessage().contains("line 7"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BertTokenizerJson.fromVocab(tmp.resolve("missing.txt")));
    }
}
