package io.sparklora.job.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The harness on tiny shapes: RESULT lines parse as bench-common.md says and the numbers are sane. */
class BenchHarnessTest {
    /** The grep-able shape of bench-common.md, fixed keys first. */
    static final Pattern RESULT = Pattern.compile("^RESULT impl=(\\S+) workload=(\\S+) threads=(\\d+) runs=(\\d+) "
            + "median_s=(\\S+) min_s=(\\S+) max_s=(\\S+) tokens_per_s=(\\S+)((?: [a-z0-9_]+=\\S+)*)$");

    static Map<String, String> parse(String line) {
        Matcher m = RESULT.matcher(line);
        assertTrue(m.matches(), "not a RESULT line: " + line);
        Map<String, String> kv = new HashMap<>();
        for (String f : line.substring("RESULT ".length()).split(" ")) {
            String[] p = f.split("=", 2);
            kv.put(p[0], p[1]);
        }
        return kv;
    }

    @Test
    void tinyGpt2TrainingStepGivesAParsableResultAndJsonLine(@TempDir Path dir) throws Exception {
        TrainWorkload w = TrainWorkloads.gpt2(new TrainWorkloads.Gpt2Shape(2, 16, 2, 100, 32, 4, 16), 7);
        assertEquals(64, w.tokensPerStep());
        BenchResult r = SingleBench.run(w, 1, 1, 1, 0);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Path jsonl = dir.resolve("sub/results.jsonl");
        new ResultSink(new PrintStream(buf, true, StandardCharsets.UTF_8), jsonl, "sparklora bench --test")
                .emit(r);
        String line = buf.toString(StandardCharsets.UTF_8).trim();
        Map<String, String> kv = parse(line);
        assertEquals("djl", kv.get("impl"));
        assertEquals("gpt2-train", kv.get("workload"));
        assertEquals("1", kv.get("runs"));
        double median = Double.parseDouble(kv.get("median_s"));
        double tps = Double.parseDouble(kv.get("tokens_per_s"));
        assertTrue(median > 0 && tps > 0, line);
        assertEquals(64 / median, tps, 64 / median * 1e-4, "tokens/s comes from the median step: " + line);
        assertEquals(64 / (double) r.get("median_s"), (double) r.get("tokens_per_s"), 1e-9);
        // q and v LoRA of 2 layers: A [2r, 16] + B [2*16, r] per layer with r = 4 -> 2 * (128 + 128)
        assertEquals("512", kv.get("trainable"));
        assertTrue(Double.isFinite(Double.parseDouble(kv.get("loss_first"))), line);

        List<String> lines = Files.readAllLines(jsonl);
        assertEquals(1, lines.size());
        JsonNode json = new ObjectMapper().readTree(lines.get(0));
        assertEquals("gpt2-train", json.get("workload").asText());
        assertEquals((double) r.get("tokens_per_s"), json.get("tokens_per_s").asDouble(), 1e-9);
        for (String key : new String[] {"date", "host", "cpu", "command"}) {
            assertTrue(json.hasNonNull(key) && !json.get(key).asText().isEmpty(), "JSON lacks " + key + ": " + json);
        }
    }

    @Test
    void tinyGenerationEmitsExactlyTheRequestedTokens() {
        TrainWorkloads.Gpt2Shape shape = new TrainWorkloads.Gpt2Shape(1, 16, 2, 60, 32, 1, 8);
        BenchResult r = GenerationBench.run("gpt2-gen-beam3", shape, 8, 6, 1, 0, 2, 3);
        Map<String, String> kv = parse(r.line());
        assertEquals("6", kv.get("new_tokens"));
        assertEquals("3", kv.get("beams"));
        assertTrue(Double.parseDouble(kv.get("tokens_per_s")) > 0, r.line());
    }

    @Test
    void statsAndNamesAreChecked() {
        StepStats s = StepStats.of(new double[] {3, 1, 2, 10});
        assertEquals(2.5, s.medianS());
        assertEquals(1, s.minS());
        assertEquals(10, s.maxS());
        assertEquals(400, s.tokensPerSecond(1000), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> StepStats.of(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> GenerationBench.beamsOf("gpt2-gen-beam"));
        assertThrows(IllegalArgumentException.class, () -> TrainWorkloads.byName("gpt3-train", 1));
        assertEquals("spark-local2", SparkBench.impl("local[2]", 1));
        assertEquals("spark-standalone-2exec", SparkBench.impl("spark://127.0.0.1:7077", 2));
    }
}
