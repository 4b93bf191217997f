package io.sparklora.data.prepare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklora.data.TestFiles;
import io.sparklora.data.tokenize.TextTokenizer;
import io.sparklora.data.tokenize.TokenizerCache;
import io.sparklora.data.tokenize.TokenizerKind;
import io.sparklora.data.tokenize.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrepareJobTest {

    private static SparkSession spark;
    private static final Path DATA = TestFiles.repoData();
    private static final String BERT_VOCAB = DATA.resolve("vocab/bert-base-uncased/vocab.txt").toString();
    private static final String GPT2 = DATA.resolve("vocab/gpt2").toString();

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("PrepareJobTest")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.default.parallelism", "2")
                // the training job may run with Kryo: the shuffled rows and the broadcast spec must survive it
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void sst2SampleRoundTripsThroughParquet() throws Exception {
        String out = tmp.resolve("out").toString();
        int buildsBefore = TokenizerCache.builds();
        PrepareResult r = PrepareJob.run(spark, new PrepareSpec(List.of(
                new InputSpec("sst2", "train", DATA.resolve("glue/SST-2/train.tsv").toString()),
                new InputSpec("SST-2", "dev", DATA.resolve("glue/SST-2/dev.tsv").toString())),
                TokenizerKind.BERT, BERT_VOCAB, 128, 0.01, out, 2));
        // one tokenizer for this spec in this JVM, however many rows and partitions
        assertEquals(buildsBefore + 1, TokenizerCache.builds());
        assertEquals(new PrepareResult.Counts(4000, 4000, 0), r.counts().get("sst2/train"));
        assertEquals(new PrepareResult.Counts(872, 872, 0), r.counts().get("sst2/dev"));

        Dataset<Row> all = spark.read().parquet(out);
        assertEquals(4872, all.count());
        List<Row> dev = PreparedData.read(spark, out, "sst2", "dev").orderBy("example_id").collectAsList();
        assertEquals(872, dev.size());
        int unknown = 0;
        try (TextTokenizer bert = Tokenizers.create(Tokenizers.spec(TokenizerKind.BERT, Path.of(BERT_VOCAB)), 0)) {
            for (int i = 0; i < dev.size(); i++) {
                Row row = dev.get(i);
                assertEquals(i, row.getLong(row.fieldIndex("example_id")));
                assertEquals(i + 2, row.getLong(row.fieldIndex("source_line")));
                int[] ids = ints(row.getList(row.fieldIndex("input_ids")));
                assertEquals(ids.length, row.getInt(row.fieldIndex("length")));
                assertEquals(101, ids[0]);
                assertEquals(102, ids[ids.length - 1]);
                assertEquals(ids.length, row.getList(row.fieldIndex("attention_mask")).size());
                assertEquals(ids.length, row.getList(row.fieldIndex("token_type_ids")).size());
                assertTrue(row.isNullAt(row.fieldIndex("score")));
                assertTrue(row.isNullAt(row.fieldIndex("lm_labels")));
                String text = row.getString(row.fieldIndex("text_a"));
                String decoded = bert.decode(ids, true);
                if (decoded.contains("[UNK]")) {
                    unknown++;
                    continue;
                }
                // WordPiece splits punctuation with spaces, so compare without whitespace
                assertEquals(squash(lowerNoAccents(text)), squash(decoded), "row " + i);
            }
        }
        assertTrue(unknown <= 2, "rows with [UNK]: " + unknown);
        // labels survive: SST-2 dev has 444 positive / 428 negative (official distribution)
        assertEquals(444, dev.stream().filter(x -> x.getInt(x.fieldIndex("label")) == 1).count());
        // with no rejects the folder holds no Parquet file, so readers pass the schema
        assertEquals(0, PreparedData.rejects(spark, out).count());
    }

    @Test
    void corruptedLineIsRejectedWithFileLineAndReason() throws Exception {
        String out = tmp.resolve("out").toString();
        String file = TestFiles.resource("corrupt/SST-2_dev_corrupt.tsv").toString();
        PrepareResult r = PrepareJob.run(spark, new PrepareSpec(List.of(new InputSpec("sst2", "dev", file)),
                TokenizerKind.BERT, BERT_VOCAB, 64, 0.05, out, 2));
        assertEquals(new PrepareResult.Counts(40, 39, 1), r.counts().get("sst2/dev"));
        List<Row> rejects = spark.read().parquet(out + "/_rejects").collectAsList();
        assertEquals(1, rejects.size());
        Row j = rejects.get(0);
        assertEquals(8L, j.getLong(j.fieldIndex("line")));
        assertTrue(j.getString(j.fieldIndex("file")).endsWith("SST-2_dev_corrupt.tsv"));
        assertTrue(j.getString(j.fieldIndex("reason")).startsWith("wrong column count"));
        assertEquals("sst2", j.getString(j.fieldIndex("task")));
        assertEquals(39, spark.read().parquet(out).count());
        // the row ids skip the rejected one (data row 6 on line 8)
        assertEquals(0, spark.read().parquet(out).filter("example_id = 6").count());

        // over the limit: the job fails, rejects are written, rows are not
        String out2 = tmp.resolve("out2").toString();
        RejectFractionExceededException e = assertThrows(RejectFractionExceededException.class,
                () -> PrepareJob.run(spark, new PrepareSpec(List.of(new InputSpec("sst2", "dev", file)),
                        TokenizerKind.BERT, BERT_VOCAB, 64, 0.01, out2, 2)));
        assertTrue(e.getMessage().contains("sst2/dev: 1 of 40"), e.getMessage());
        assertEquals(1, spark.read().parquet(out2 + "/_rejects").count());
        assertFalse(Files.exists(tmp.resolve("out2/task=sst2")));
    }

    @Test
    void e2eFollowsLorasEncodingAndRereadsReplacePartitions() throws Exception {
        String out = tmp.resolve("e2e").toString();
        for (int run = 0; run < 2; run++) {
            PrepareJob.run(spark, new PrepareSpec(List.of(
                    new InputSpec("e2e", "dev", DATA.resolve("e2e/valid.txt").toString())),
                    TokenizerKind.GPT2, GPT2, 512, 0.0, out, 2));
        }
        List<Row> rows = spark.read().parquet(out).orderBy("example_id").collectAsList();
        assertEquals(434, rows.size()); // not doubled by the second run
        // oracle: microsoft/LoRA's encoder.py ids of the MR and of ' ' + reference (first 200 lines)
        JsonNode cases = new ObjectMapper().readTree(TestFiles.resource("fixtures/gpt2_bpe_e2e_valid.json").toFile())
                .get("cases");
        for (int i = 0; i < 200; i++) {
            int[] ctx = ints(cases.get(2 * i).get("ids"));
            int[] ref = ints(cases.get(2 * i + 1).get("ids"));
            Row row = rows.get(i);
            int n = ctx.length + 1 + ref.length + 1;
            int[] expected = new int[n];
            System.arraycopy(ctx, 0, expected, 0, ctx.length);
            expected[ctx.length] = 50256;
            System.arraycopy(ref, 0, expected, ctx.length + 1, ref.length);
            expected[n - 1] = 50256;
            int[] ids = ints(row.getList(row.fieldIndex("input_ids")));
            assertArrayEquals(expected, ids, "row " + i);
            int[] labels = ints(row.getList(row.fieldIndex("lm_labels")));
            for (int k = 0; k < n; k++) {
                int want = k >= ctx.length && k + 1 < n ? expected[k + 1] : -1;
                assertEquals(want, labels[k], "row " + i + " position " + k);
            }
            assertEquals(ctx.length + 1, row.getInt(row.fieldIndex("prompt_length")));
            assertTrue(row.isNullAt(row.fieldIndex("token_type_ids")));
            assertTrue(row.isNullAt(row.fieldIndex("label")));
        }
        assertEquals(49L, rows.get(433).getLong(rows.get(433).fieldIndex("prompt_id")));
    }

    @Test
    void pairsAndRegressionCarryTokenTypesAndScores() throws Exception {
        String out = tmp.resolve("pairs").toString();
        PrepareResult r = PrepareJob.run(spark, new PrepareSpec(List.of(
                new InputSpec("mrpc", "dev", DATA.resolve("glue/MRPC/dev.tsv").toString()),
                new InputSpec("stsb", "dev", DATA.resolve("glue/STS-B/dev.tsv").toString())),
                TokenizerKind.BERT, BERT_VOCAB, 32, 0.0, out, 2));
        assertEquals(200, r.counts().get("mrpc/dev").written());
        assertEquals(200, r.counts().get("stsb/dev").written());
        Row s = spark.read().parquet(out).filter("task = 'stsb' AND example_id = 0").first();
        assertEquals(5.0f, s.getFloat(s.fieldIndex("score")));
        assertTrue(s.isNullAt(s.fieldIndex("label")));
        List<Row> mrpc = spark.read().parquet(out).filter("task = 'mrpc'").collectAsList();
        for (Row m : mrpc) {
            int[] ids = ints(m.getList(m.fieldIndex("input_ids")));
            int[] types = ints(m.getList(m.fieldIndex("token_type_ids")));
            assertTrue(ids.length <= 32);
            assertEquals(ids.length > 31 || m.getBoolean(m.fieldIndex("truncated")) ? 32 : ids.length, ids.length);
            // [CLS] a [SEP] b [SEP]: types are 0 up to and including the first [SEP], then 1
            int firstSep = indexOf(ids, 102);
            for (int k = 0; k < ids.length; k++) {
                assertEquals(k <= firstSep ? 0 : 1, types[k]);
            }
            assertEquals(102, ids[ids.length - 1]);
        }
        assertTrue(mrpc.stream().anyMatch(m -> m.getBoolean(m.fieldIndex("truncated"))));
    }

    @Test
    void rejectsBadSpecsClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PrepareSpec(List.of(new InputSpec("e2e", "dev", "x")), TokenizerKind.BERT, BERT_VOCAB, 64,
                        0.01, "out", 0));
        assertTrue(e.getMessage().contains("gpt2"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> PrepareJob.run(spark, new PrepareSpec(List.of(new InputSpec("sst2", "dev",
                        tmp.resolve("nope.tsv").toString())), TokenizerKind.BERT, BERT_VOCAB, 64, 0.01,
                        tmp.resolve("o").toString(), 0)));
        assertTrue(missing.getMessage().contains("nope.tsv"));
        assertThrows(IllegalArgumentException.class, () -> InputSpec.parse("sst2=foo"));
        assertEquals(new InputSpec("sst2", "train", "a/b.tsv"), InputSpec.parse("SST-2:train=a/b.tsv"));
    }

    private static int indexOf(int[] a, int x) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static String lowerNoAccents(String s) {
        return Normalizer.normalize(s.toLowerCase(Locale.ROOT), Normalizer.Form.NFD).replaceAll("\\p{Mn}", "");
    }

    private static String squash(String s) {
        return s.replaceAll("\\s+", "");
    }

    private static int[] ints(List<?> list) {
        int[] r = new int[list.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = ((Number) list.get(i)).intValue();
        }
        return r;
    }

    private static int[] ints(JsonNode arr) {
        List<Integer> l = new ArrayList<>();
        arr.forEach(n -> l.add(n.asInt()));
        return ints(l);
    }
}
