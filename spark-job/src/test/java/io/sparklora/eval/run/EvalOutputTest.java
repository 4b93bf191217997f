package io.sparklora.eval.run;

import io.sparklora.eval.GlueTask;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Metrics and predictions Parquet read back with the documented columns; the final-metrics table. */
class EvalOutputTest {
    static SparkSession spark;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = EvalSpark.strictSession("eval-output");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Names and types as documented (Parquet reads every column back as nullable). */
    static void assertColumns(StructType expected, StructType actual) {
        assertEquals(expected.fields().length, actual.fields().length, actual.treeString());
        for (StructField f : expected.fields()) {
            StructField a = actual.apply(f.name());
            assertEquals(DataTypes.createStructField(f.name(), f.dataType(), true).dataType().simpleString(),
                    a.dataType().simpleString(), f.name());
        }
    }

    @Test
    void metricRowsAppendAndReadBack() {
        String out = tmp.toString();
        Instant t0 = Instant.parse("2026-11-23T04:00:00.123456789Z");
        List<MetricRow> first = List.of(
                new MetricRow("run1", "sst2", "lora-r8", 10, 0, "dev", "accuracy", 0.5, t0),
                new MetricRow("run1", "sst2", "lora-r8", 10, 0, "train", "loss", 0.69, t0));
        List<MetricRow> second = List.of(
                new MetricRow("run1", "sst2", "lora-r8", 20, 1, "dev", "accuracy", 0.75, t0.plusSeconds(60)),
                new MetricRow("run1", "sst2", "lora-r8", 20, 1, "train", "loss", 0.41, t0.plusSeconds(60)));
        MetricsWriter.append(spark, out, first);
        MetricsWriter.append(spark, out, second);
        MetricsWriter.append(spark, out, List.of()); // nothing to add: no file, no error

        Dataset<Row> raw = spark.read().parquet(tmp.resolve("metrics").toString());
        assertColumns(MetricsSchema.SCHEMA, raw.schema());
        List<MetricRow> back = new ArrayList<>(MetricsWriter.readRows(spark, out));
        back.sort(Comparator.comparingLong(MetricRow::step).thenComparing(MetricRow::split));
        List<MetricRow> all = new ArrayList<>(first);
        all.addAll(second);
        assertEquals(all, back);
        assertEquals(t0.getNano() / 1000 * 1000, back.get(0).time().getNano(), "microseconds survive");

        raw.createOrReplaceTempView("metrics");
        List<Row> best = spark.sql("select step, value from metrics where metric = 'accuracy' order by value desc")
                .collectAsList();
        assertEquals(20L, best.get(0).getLong(0));

        String table = MetricsTable.format(back);
        List<String> lines = table.lines().toList();
        assertEquals(4, lines.size(), table); // header, rule, one line per (task, adapter, split, metric)
        assertTrue(lines.get(0).startsWith("task") && lines.get(0).endsWith("value"), table);
        assertTrue(lines.get(1).matches("[- ]+"), table);
        assertTrue(table.contains("0.7500") && table.contains("0.4100"), table);
        assertFalse(table.contains("0.5000") || table.contains("0.6900"), "earlier steps are not final: " + table);
        assertEquals("(no metrics)\n", MetricsTable.format(List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new MetricRow("run1", "", "a", 1, 0, "dev", "accuracy", 1, t0));
    }

    @Test
    void predictionsOfClassificationAndGenerationRoundTrip() {
        String out = tmp.toString();
        EvalOutput output = new EvalOutput(spark, out, "run2", "lora-r4");
        List<ScoredExample> scored = new ArrayList<>();
        int wrong = 0;
        for (int i = 0; i < 10; i++) {
            int label = i % 2;
            int prediction = i < 7 ? label : 1 - label;
            wrong += prediction != label ? 1 : 0;
            scored.add(new ScoredExample(i, Long.toString(100 + i), prediction, label));
        }
        ClassificationEval cls = ClassificationEval.of(GlueTask.SST2, scored);
        List<MetricRow> clsRows = output.write("sst2", "dev", 3, 0, cls);
        assertEquals(1, clsRows.size());
        assertEquals(0.7, clsRows.get(0).value(), 1e-12);

        PromptGroup p0 = new PromptGroup(0, 5, 40, new int[] {1, 50256}, "name : A", new String[] {"A is.", "It is A."});
        PromptGroup p1 = new PromptGroup(1, 6, 43, new int[] {2, 50256}, "name : B", new String[] {"B."});
        GenerationEval gen = new GenerationEval(List.of(
                new GeneratedText(p0, new int[] {7}, "A is.", List.of(p0.references), 0.9),
                new GeneratedText(p1, new int[] {8}, "C.", List.of(p1.references), Double.NaN)),
                Map.of("BLEU", 0.5));
        output.write("e2e", "dev", 3, 0, gen);
        output.write("e2e", "dev", 3, 0, gen); // the same step again replaces, not duplicates

        Dataset<Row> preds = PredictionsWriter.read(spark, out);
        StructType withPartitions = PredictionsSchema.SCHEMA.add("task", DataTypes.StringType)
                .add("split", DataTypes.StringType).add("step", DataTypes.IntegerType);
        assertColumns(withPartitions, preds.schema());
        preds.createOrReplaceTempView("predictions");
        assertEquals(wrong, spark.sql("select * from predictions where task = 'sst2' and split = 'dev' and step = 3 "
                + "and not correct").count());
        Row r = spark.sql("select example_id, prediction, references, score, correct from predictions "
                + "where task = 'sst2' and index = 8").first();
        assertEquals(108L, r.getLong(0));
        assertEquals("1", r.getString(1), "SST-2 label strings");
        assertEquals(List.of("0"), r.getList(2));
        assertTrue(r.isNullAt(3));
        assertFalse(r.getBoolean(4));

        List<Row> g = spark.sql("select example_id, input, prediction, references, score, correct from predictions "
                + "where task = 'e2e' order by index").collectAsList();
        assertEquals(2, g.size());
        assertEquals(40L, g.get(0).getLong(0));
        assertEquals("name : A", g.get(0).getString(1));
        assertEquals("A is.", g.get(0).getString(2));
        assertEquals(List.of("A is.", "It is A."), g.get(0).getList(3));
        assertEquals(0.9, g.get(0).getDouble(4));
        assertTrue(g.get(0).isNullAt(5));
        assertTrue(g.get(1).isNullAt(4), "no sentence score is null, not NaN");

        List<MetricRow> metrics = MetricsWriter.readRows(spark, out);
        assertEquals(3, metrics.size(), "accuracy once, BLEU twice (two evaluations)");
        assertThrows(IllegalArgumentException.class, () -> PredictionsWriter.dir(out, "e2e", "dev/x", 1));
    }
}
