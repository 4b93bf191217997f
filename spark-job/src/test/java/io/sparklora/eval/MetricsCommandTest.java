package io.sparklora.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklora.job.cli.SparkloraCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sparklora metrics e2e|glue} through the real command line, output captured. */
class MetricsCommandTest {
    @TempDir Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = SparkloraCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void e2ePrintsTheFiveMetricsOfTheOfficialExample() throws IOException {
        Run r = run("metrics", "e2e",
                "--references", TestResources.path("e2e_metrics_example/references.txt").toString(),
                "--hypotheses", TestResources.path("e2e_metrics_example/baseline-output.txt").toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("BLEU", "NIST", "METEOR", "ROUGE_L", "CIDEr"), keys);
        JsonNode expected = TestResources.json("e2e_metrics_example/expected.json").get("official_printed_4dp");
        for (String name : List.of("BLEU", "NIST", "ROUGE_L", "CIDEr")) {
            assertEquals(expected.get(name).asDouble(), json.get(name).asDouble(), 5e-5, name);
        }
    }

    @Test
    void e2eSegmentsOption() throws IOException {
        Path refs = Files.writeString(dir.resolve("refs"), "The Eagle is a pub.\nA pub.\n\nCheap food.\n");
        Path hyps = Files.writeString(dir.resolve("hyps"), "The Eagle is a pub.\nCheap food here.\n");
        Run r = run("metrics", "e2e", "--references", refs.toString(), "--hypotheses", hyps.toString(), "--segments");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(2, json.get("segments").get("CIDEr").size());
        assertEquals(1.0, json.get("segments").get("ROUGE_L").get(0).asDouble(), 1e-12);
    }

    @Test
    void e2eMismatchedCountsIsAnInputError() throws IOException {
        Path refs = Files.writeString(dir.resolve("refs"), "a\n\nb\n");
        Path hyps = Files.writeString(dir.resolve("hyps"), "a\nb\nc\n");
        Run r = run("metrics", "e2e", "--references", refs.toString(), "--hypotheses", hyps.toString());
        assertEquals(SparkloraCli.EXIT_BAD_INPUT, r.exit());
        assertTrue(r.err().contains("2 instances"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void gluePrintsTheTaskMetrics() throws IOException {
        Path p = Files.writeString(dir.resolve("p"), "1\n0\n1\n1\n");
        Path l = Files.writeString(dir.resolve("l"), "1\n0\n0\n1\n");
        Run r = run("metrics", "glue", "--task", "MRPC", "--predictions", p.toString(), "--labels", l.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(0.75, json.get("accuracy").asDouble(), 1e-15);
        assertEquals(0.8, json.get("f1").asDouble(), 1e-15); // TP 2, FP 1, FN 0: 4 / 5
        assertEquals(2, json.size());

        Run sts = run("metrics", "glue", "--task", "stsb", "--predictions", p.toString(), "--labels", l.toString());
        JsonNode stsJson = new ObjectMapper().readTree(sts.out());
        assertTrue(stsJson.has("pearson") && stsJson.has("spearman") && stsJson.size() == 2, sts.out());
    }

    @Test
    void glueInputErrors() throws IOException {
        Path p = Files.writeString(dir.resolve("p"), "1\nx\n");
        Path l = Files.writeString(dir.resolve("l"), "1\n0\n");
        Path empty = Files.writeString(dir.resolve("empty"), "");
        Path three = Files.writeString(dir.resolve("three"), "1\n0\n2\n");
        Run nonNumeric = run("metrics", "glue", "--task", "rte", "--predictions", p.toString(), "--labels", l.toString());
        assertEquals(SparkloraCli.EXIT_BAD_INPUT, nonNumeric.exit());
        assertTrue(nonNumeric.err().contains(":2: 'x' is not a number"), nonNumeric.err());
        Run emptyRun = run("metrics", "glue", "--task", "rte", "--predictions", empty.toString(), "--labels", l.toString());
        assertEquals(SparkloraCli.EXIT_BAD_INPUT, emptyRun.exit());
        assertTrue(emptyRun.err().contains("empty file"), emptyRun.err());
        Run mismatch = run("metrics", "glue", "--task", "rte", "--predictions", three.toString(), "--labels", l.toString());
        assertEquals(SparkloraCli.EXIT_BAD_INPUT, mismatch.exit());
        Run badLabel = run("metrics", "glue", "--task", "rte", "--predictions", three.toString(), "--labels", three.toString());
        assertEquals(SparkloraCli.EXIT_BAD_INPUT, badLabel.exit());
        assertTrue(badLabel.err().contains("expects an integer class label in [0, 1]"), badLabel.err());
        Run badTask = run("metrics", "glue", "--task", "squad", "--predictions", l.toString(), "--labels", l.toString());
        // picocli reports the bad value; SparkloraCli's exit-code mapper (shared ExitCodes) decides the code
        assertTrue(badTask.exit() != 0, "exit code " + badTask.exit());
        assertTrue(badTask.err().contains("unknown GLUE task 'squad'"), badTask.err());
    }
}
