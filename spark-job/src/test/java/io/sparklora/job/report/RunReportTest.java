package io.sparklora.job.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklora.job.cli.SparkloraCli;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny fake run (two tasks, 20 steps, training and dev/test evaluation rows, plus another run's rows in
 * the same table) goes through {@link RunReport}; the page must show every series, the final values and
 * the configuration, and render in headless Chromium with every series drawn.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunReportTest {
    static final String RUN_ID = "run-20260101-sst2-e2e";
    static final String CHROMIUM = "/usr/bin/chromium";
    static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");

    @TempDir static Path tmp;
    static SparkSession spark;
    static Path runDir;
    /** Series id -> (step -> value), as written: the test's own oracle for what the page must show. */
    static final Map<String, Map<Long, Double>> EXPECTED = new LinkedHashMap<>();

    @BeforeAll
    static void writeFakeRun() throws Exception {
        spark = SparkSession.builder().config(new SparkConf().setMaster("local[1]").setAppName("report-test")
                .set("spark.ui.enabled", "false").set("spark.sql.shuffle.partitions", "1")).getOrCreate();
        Path output = tmp.resolve("out");
        runDir = output.resolve("runs").resolve(RUN_ID);
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("config.conf"), String.join("\n",
                "run-id = \"" + RUN_ID + "\"", "model { family = bert, path = \"data/bert-tiny\" }",
                "lora { r = 8, alpha = 16, target-modules = [query, value] }",
                "train { steps = 20, lr = 2e-4, warmup-steps = 4, batch-size = 32 }",
                "hub-token = \"***\" # <masked & kept> ", ""));

        List<Row> rows = new ArrayList<>();
        for (long step = 1; step <= 20; step++) {
            double lr = step <= 4 ? 2e-4 * step / 4 : 2e-4 * (20 - step) / 16;
            add(rows, RUN_ID, "sst2", step, "train", "loss", 0.7 / (1 + 0.1 * step));
            add(rows, RUN_ID, "sst2", step, "train", "learning_rate", lr);
            add(rows, RUN_ID, "sst2", step, "train", "tokens_per_second", 1000 + 10 * step);
            add(rows, RUN_ID, "e2e", step, "train", "loss", 4.0 - 0.1 * step);
            add(rows, RUN_ID, "e2e", step, "train", "learning_rate", lr);
            if (step % 5 == 0) {
                double k = step / 5.0; // 1..4: exact binary fractions below
                add(rows, RUN_ID, "sst2", step, "dev", "accuracy", 0.5 + k / 8);
                add(rows, RUN_ID, "sst2", step, "dev", "f1", 0.25 + k / 8);
                add(rows, RUN_ID, "e2e", step, "dev", "BLEU", 0.125 * k);
                add(rows, RUN_ID, "e2e", step, "test", "BLEU", 0.0625 * k);
                add(rows, RUN_ID, "e2e", step, "dev", "NIST", 2.5 * k);
            }
        }
        // Another run in the same table: must not show up.
        add(rows, "some-other-run", "qqp", 1, "train", "loss", 123.0);
        StructType schema = new StructType()
                .add("run_id", DataTypes.StringType).add("task", DataTypes.StringType)
                .add("adapter", DataTypes.StringType).add("step", DataTypes.LongType)
                .add("epoch", DataTypes.IntegerType).add("split", DataTypes.StringType)
                .add("metric", DataTypes.StringType).add("value", DataTypes.DoubleType)
                .add("time", DataTypes.TimestampType);
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(output.resolve("metrics").toString());
    }

    private static void add(List<Row> rows, String run, String task, long step, String split, String metric, double v) {
        rows.add(RowFactory.create(run, task, "default", step, 0, split, metric, v,
                Timestamp.from(T0.plusSeconds(step * 30))));
        if (run.equals(RUN_ID)) {
            EXPECTED.computeIfAbsent(task + "/" + split + "/" + metric, k -> new LinkedHashMap<>()).put(step, v);
        }
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static String reportHtml() throws Exception {
        Path page = tmp.resolve("report.html");
        if (!Files.exists(page)) {
            org.apache.hadoop.fs.Path written = RunReport.write(spark, runDir.toString(), page.toString());
            assertEquals(page.toUri().getPath(), written.toUri().getPath());
        }
        return Files.readString(page, StandardCharsets.UTF_8);
    }

    @Test
    @Order(1)
    void pageHoldsEverySeriesTheFinalValuesAndTheConfig() throws Exception {
        String html = reportHtml();
        assertEquals(10, EXPECTED.size()); // sst2: 3 train + 2 dev; e2e: 2 train + 2 dev + 1 test
        for (Map.Entry<String, Map<Long, Double>> e : EXPECTED.entrySet()) {
            String id = e.getKey();
            Matcher m = Pattern.compile("<path[^>]*data-series=\"" + Pattern.quote(id) + "\" data-points=\"(\\d+)\"")
                    .matcher(html);
            assertTrue(m.find(), "no path for " + id);
            assertEquals(e.getValue().size(), Integer.parseInt(m.group(1)), "points of " + id);
            assertFalse(m.find(), "two paths for " + id);
            long lastStep = e.getValue().keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
            double last = e.getValue().get(lastStep);
            assertTrue(Pattern.compile("<tr data-series=\"" + Pattern.quote(id) + "\"[^>]*>.*<td class=\"num\">" + lastStep
                    + "</td><td class=\"num\" data-value=\"" + Pattern.quote(Double.toString(last)) + "\">").matcher(html).find(),
                    "final row of " + id);
        }
        // Exact eval values at the last step, as a reader sees them.
        assertTrue(html.contains("data-value=\"1.0\">1</td>"), "sst2 dev accuracy 0.5 + 4/8");
        assertTrue(html.contains("data-value=\"0.75\">0.75</td>"), "sst2 dev f1 0.25 + 4/8");
        assertTrue(html.contains("data-value=\"0.25\">0.25</td>"), "e2e test BLEU 4 x 0.0625");
        assertFalse(html.contains("qqp"), "another run's rows leaked into the page");
        assertTrue(html.contains("hub-token = &quot;***&quot; # &lt;masked &amp; kept&gt;"), "config shown, escaped");
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find(), "page must fetch nothing");
        assertFalse(html.contains("<script"), "no script needed");
    }

    @Test
    @Order(2)
    void rendersInHeadlessChromiumWithEverySeriesDrawn() throws Exception {
        assumeTrue(new File(CHROMIUM).canExecute(), CHROMIUM + " not installed (scripts/install-test-deps.sh installs it)");
        String html = reportHtml();
        // A copy of the page with a probe that records what the browser laid out for each series.
        String probe = "<script>(function(){var out=[];document.querySelectorAll('path[data-series]').forEach(function(p){"
                + "var b=p.getBBox(),svg=p.ownerSVGElement.getBoundingClientRect();"
                + "out.push({id:p.getAttribute('data-series'),length:p.getTotalLength(),w:b.width,h:b.height,"
                + "svgW:svg.width,svgH:svg.height});});"
                + "var pre=document.createElement('pre');pre.id='layout';pre.textContent=JSON.stringify(out);"
                + "document.body.appendChild(pre);})();</script>";
        Path probed = tmp.resolve("probed.html");
        Files.writeString(probed, html.replace("</body>", probe + "\n</body>"));
        String dom = chromium(probed, "--dump-dom");
        Matcher m = Pattern.compile("<pre id=\"layout\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertTrue(m.find(), "the probe did not run; DOM starts: " + dom.substring(0, Math.min(300, dom.length())));
        JsonNode layout = new ObjectMapper().readTree(m.group(1).replace("&amp;", "&").replace("&lt;", "<")
                .replace("&gt;", ">").replace("&quot;", "\""));
        Map<String, JsonNode> byId = new HashMap<>();
        layout.forEach(n -> byId.put(n.get("id").asText(), n));
        assertEquals(EXPECTED.keySet(), byId.keySet(), "series drawn by the browser");
        for (String id : EXPECTED.keySet()) {
            JsonNode n = byId.get(id);
            assertTrue(n.get("length").asDouble() > 50, id + " drawn with length " + n.get("length"));
            assertTrue(n.get("w").asDouble() > 100, id + " spans the x axis: " + n);
            assertTrue(n.get("svgW").asDouble() > 400 && n.get("svgH").asDouble() > 200, id + " chart visible: " + n);
        }
        for (Map.Entry<String, Map<Long, Double>> e : EXPECTED.entrySet()) {
            if (!e.getKey().contains("/train/")) {
                assertTrue(dom.contains("<tr data-series=\"" + e.getKey() + "\""), "table row " + e.getKey());
            }
        }
        assertTrue(dom.contains("dev, step 15: 0.875</title>"), "sst2 dev accuracy at step 15 in a marker's tooltip");

        // A screenshot for people to look at (target/report-test/report.png).
        Path shots = Paths.get("target", "report-test");
        Files.createDirectories(shots);
        Files.copy(tmp.resolve("report.html"), shots.resolve("report.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path png = shots.resolve("report.png").toAbsolutePath();
        Files.deleteIfExists(png);
        chromium(tmp.resolve("report.html"), "--screenshot=" + png, "--window-size=1280,2600", "--hide-scrollbars");
        assertTrue(Files.size(png) > 20_000, "screenshot too small: " + Files.size(png));
    }

    @Test
    @Order(3)
    void aTableWithoutAColumnIsRejectedByName() throws Exception {
        Path output = tmp.resolve("bad");
        Files.createDirectories(output.resolve("runs").resolve("r1"));
        spark.sql("SELECT 'r1' AS run_id, 'sst2' AS task, 1L AS step").write().parquet(output.resolve("metrics").toString());
        ReportInputException e = assertThrows(ReportInputException.class,
                () -> RunReport.read(spark, output.resolve("runs").resolve("r1").toString()));
        assertTrue(e.getMessage().contains("has no column"), e.getMessage());
        ReportInputException notARun = assertThrows(ReportInputException.class,
                () -> RunReport.read(spark, tmp.resolve("out").toString()));
        assertTrue(notARun.getMessage().contains("<output>/runs/<run-id>"), notARun.getMessage());
    }

    /** Runs last: the command reuses and then stops this class's Spark session. */
    @Test
    @Order(4)
    void reportCommandWritesIntoTheRunDirectoryByDefault() throws Exception {
        int rc = SparkloraCli.commandLine().execute("report", "--run", runDir.toString());
        assertEquals(SparkloraCli.EXIT_OK, rc);
        String html = Files.readString(runDir.resolve(RunReport.DEFAULT_FILE));
        assertTrue(html.contains("data-series=\"e2e/test/BLEU\""));
        try (var files = Files.list(runDir)) {
            assertEquals(List.of("config.conf", "report.html"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary or checksum files left");
        }
        int bad = SparkloraCli.commandLine().execute("report", "--run", tmp.resolve("nowhere/runs/x").toString());
        assertEquals(SparkloraCli.EXIT_BAD_INPUT, bad);
    }

    /** Runs headless Chromium on a local file; returns its standard output. */
    static String chromium(Path page, String... extra) throws Exception {
        Path profile = Files.createTempDirectory(tmp, "chromium-profile");
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile));
        cmd.addAll(List.of(extra));
        cmd.add(page.toUri().toString());
        Path stdout = tmp.resolve("chromium-" + System.nanoTime() + ".out");
        Path stderr = tmp.resolve("chromium-" + System.nanoTime() + ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s: " + cmd);
        }
        assertEquals(0, p.exitValue(), "chromium failed: " + Files.readString(stderr));
        String out = Files.readString(stdout);
        assertNotNull(out);
        return out;
    }
}
