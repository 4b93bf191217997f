package io.sparklora.job.s3;

import io.sparklora.data.prepare.InputSpec;
import io.sparklora.data.prepare.PrepareJob;
import io.sparklora.data.prepare.PrepareSpec;
import io.sparklora.data.tokenize.TokenizerKind;
import io.sparklora.job.TinyModels;
import io.sparklora.job.config.TrainConfig;
import io.sparklora.job.run.SplitEvaluation;
import io.sparklora.job.run.TrainJob;
import io.sparklora.job.spark.SparkSetup;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * prepare → train → evaluate with the base model, the data and every output in an S3 bucket, served on
 * loopback by s3proxy (in-memory store, path-style access, SigV4 with random credentials). Afterwards no
 * object in the bucket and no log line may contain the secret key.
 */
class S3RoundTripTest {
    private static final Logger LOG = LoggerFactory.getLogger(S3RoundTripTest.class);
    private static final String BUCKET = "lake";
    private static final String CAPTURE = "s3-secret-check";
    private static final String S3A_LOGGER = "org.apache.hadoop.fs.s3a";

    @TempDir
    static Path tmp;
    static S3Server server;
    static SparkSession spark;
    static String accessKey;
    static String secretKey;

    @BeforeAll
    static void startS3() throws Exception {
        SecureRandom random = new SecureRandom();
        accessKey = "AK" + hex(random, 8);
        secretKey = "SK" + hex(random, 16);
        server = S3Server.start(accessKey, secretKey);
        server.createBucket(BUCKET);
        SparkConf conf = SparkSetup.configure(new SparkConf().setMaster("local[2]").setAppName("s3-round-trip")
                .set("spark.ui.enabled", "false").set("spark.kryo.registrationRequired", "true"));
        for (String[] kv : s3aSettings()) {
            conf.set("spark.hadoop." + kv[0], kv[1]);
        }
        spark = SparkSession.builder().config(conf).getOrCreate();
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (spark != null) {
            spark.stop();
        }
        FileSystem.closeAll();
        if (server != null) {
            server.close();
        }
    }

    private static List<String[]> s3aSettings() {
        return List.of(new String[] {"fs.s3a.endpoint", "http://127.0.0.1:" + server.port()},
                new String[] {"fs.s3a.endpoint.region", "us-east-1"},
                new String[] {"fs.s3a.path.style.access", "true"},
                new String[] {"fs.s3a.connection.ssl.enabled", "false"},
                new String[] {"fs.s3a.aws.credentials.provider",
                        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider"},
                new String[] {"fs.s3a.access.key", accessKey},
                new String[] {"fs.s3a.secret.key", secretKey},
                new String[] {"fs.s3a.attempts.maximum", "2"},
                new String[] {"fs.s3a.retry.limit", "2"});
    }

    private static String hex(SecureRandom random, int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Test
    void preparesTrainsAndEvaluatesInABucketWithoutLeakingTheSecret() throws Exception {
        long start = System.nanoTime();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        FileSystem fs = FileSystem.get(URI.create("s3a://" + BUCKET + "/"), hadoop);
        String root = "s3a://" + BUCKET;

        Path local = tmp.resolve("upload");
        TinyModels.writeTinyGpt2(local.resolve("gpt2-tiny"));
        Files.copy(Path.of("../data/vocab/gpt2/tokenizer.json"), local.resolve("gpt2-tiny/tokenizer.json"));
        Files.createDirectories(local.resolve("e2e"));
        head(Path.of("../data/e2e/trainset.csv"), local.resolve("e2e/trainset.csv"), 40);
        head(Path.of("../data/e2e/devset.csv"), local.resolve("e2e/devset.csv"), 20);
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.resolve("gpt2-tiny").toUri()),
                new org.apache.hadoop.fs.Path(root + "/models/gpt2-tiny"));
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.resolve("e2e").toUri()),
                new org.apache.hadoop.fs.Path(root + "/raw/e2e"));

        StringWriter logs = new StringWriter();
        Appender appender = captureLogs(logs);
        try {
            PrepareJob.run(spark, new PrepareSpec(List.of(
                    new InputSpec("e2e", "train", root + "/raw/e2e/trainset.csv"),
                    new InputSpec("e2e", "dev", root + "/raw/e2e/devset.csv")),
                    TokenizerKind.GPT2, root + "/models/gpt2-tiny/tokenizer.json", 96, 0.01, root + "/prepared", 2));
            TrainConfig cfg = TrainConfig.load(null, List.of("run-id=s3", "output=\"" + root + "/out\"",
                    "model.family=gpt2", "model.path=\"" + root + "/models/gpt2-tiny\"", "task=e2e",
                    "data.prepared=\"" + root + "/prepared\"", "data.partitions=2", "data.eval-split=dev",
                    "data.max-eval-examples=5", "lora.target-modules=[c_attn]",
                    "lora.enable-lora.c_attn=[true,false,true]", "lora.r=2", "lora.alpha=8",
                    "train.batch-size=8", "train.micro-batch-size=4", "train.max-steps=3", "train.lr=1e-2",
                    "train.log-every=1", "eval.beams=1", "eval.max-new-tokens=4"));
            TrainJob.Result r = new TrainJob(cfg, false, false, new SplitEvaluation(), null).run(spark);
            assertEquals(3, r.steps());
            assertFalse(r.metrics().isEmpty(), "no evaluation metrics");
        } finally {
            releaseLogs(appender);
        }

        List<String> files = listFiles(fs, root + "/out");
        String run = root + "/out/runs/s3/";
        for (String f : List.of("config.conf", "_SUCCESS", "summary.json", "adapters/e2e/final/adapter_config.json",
                "adapters/e2e/final/adapter_model.safetensors")) {
            assertTrue(files.contains(run + f), f + " is missing from " + files);
        }
        assertTrue(files.stream().anyMatch(f -> f.startsWith(root + "/out/metrics/") && f.endsWith(".parquet")),
                "no metrics Parquet in " + files);
        assertTrue(files.stream().anyMatch(f -> f.startsWith(root + "/out/predictions/") && f.endsWith(".parquet")),
                "no predictions Parquet in " + files);
        long predictions = spark.read().parquet(root + "/out/predictions").count();
        assertTrue(predictions > 0 && predictions <= 5, "predictions rows: " + predictions);

        byte[] secret = secretKey.getBytes(StandardCharsets.UTF_8);
        List<String> everything = new ArrayList<>(files);
        everything.addAll(listFiles(fs, root + "/prepared"));
        for (String f : everything) {
            try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(f))) {
                assertFalse(contains(in.readAllBytes(), secret), f + " contains the S3 secret key");
            }
        }
        String logText = logs.toString();
        assertTrue(logText.contains("s3a://" + BUCKET), "the log capture saw no S3A activity");
        assertFalse(logText.contains(secretKey), "the job's log output contains the S3 secret key");
        LOG.info("S3 round trip (prepare, train 3 steps, evaluate) took {} s",
                String.format("%.1f", (System.nanoTime() - start) / 1e9));
    }

    @Test
    void aRejectedSecretDoesNotAppearInTheError() throws Exception {
        String wrong = "SK" + hex(new SecureRandom(), 16);
        Configuration conf = new Configuration(spark.sparkContext().hadoopConfiguration());
        conf.set("fs.s3a.secret.key", wrong);
        StringBuilder chain = new StringBuilder();
        try (FileSystem fs = FileSystem.newInstance(URI.create("s3a://" + BUCKET + "/"), conf)) {
            fs.getFileStatus(new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/anything"));
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                chain.append(t).append('\n');
                for (Throwable s : t.getSuppressed()) {
                    chain.append(s).append('\n');
                }
            }
        }
        assertFalse(chain.isEmpty(), "a request signed with the wrong secret was accepted");
        assertTrue(chain.toString().contains("403") || chain.toString().contains("AccessDenied")
                || chain.toString().contains("SignatureDoesNotMatch"), chain.toString());
        assertFalse(chain.toString().contains(wrong), "the error names the secret key: " + chain);
    }

    /**
     * Every log event from now on goes to {@code sink} as well: INFO and up from everything, DEBUG from S3A
     * (those only to the sink, not to the console).
     */
    private static Appender captureLogs(StringWriter sink) {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        org.apache.logging.log4j.core.config.Configuration config = ctx.getConfiguration();
        Appender appender = WriterAppender.newBuilder().setName(CAPTURE).setTarget(sink)
                .setLayout(PatternLayout.newBuilder().withPattern("%p %c %m%n%ex").build()).build();
        appender.start();
        config.addAppender(appender);
        LoggerConfig rootCfg = config.getRootLogger();
        rootCfg.addAppender(appender, Level.ALL, null);
        rootCfg.setLevel(Level.INFO);
        // the console keeps showing WARN and up only
        for (Appender a : List.copyOf(rootCfg.getAppenders().values())) {
            if (!a.getName().equals(CAPTURE)) {
                rootCfg.removeAppender(a.getName());
                rootCfg.addAppender(a, Level.WARN, null);
            }
        }
        LoggerConfig s3a = LoggerConfig.newBuilder().withLoggerName(S3A_LOGGER).withLevel(Level.DEBUG)
                .withAdditivity(false).withConfig(config).build();
        s3a.addAppender(appender, Level.ALL, null);
        config.addLogger(S3A_LOGGER, s3a);
        ctx.updateLoggers();
        return appender;
    }

    private static void releaseLogs(Appender appender) {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        org.apache.logging.log4j.core.config.Configuration config = ctx.getConfiguration();
        config.removeLogger(S3A_LOGGER);
        LoggerConfig rootCfg = config.getRootLogger();
        rootCfg.removeAppender(CAPTURE);
        for (Appender a : List.copyOf(rootCfg.getAppenders().values())) {
            rootCfg.removeAppender(a.getName());
            rootCfg.addAppender(a, null, null);
        }
        rootCfg.setLevel(Level.WARN);
        ctx.updateLoggers();
        appender.stop();
    }

    private static List<String> listFiles(FileSystem fs, String dir) throws IOException {
        List<String> out = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(new org.apache.hadoop.fs.Path(dir), true);
        while (it.hasNext()) {
            out.add(it.next().getPath().toString());
        }
        return out;
    }

    private static boolean contains(byte[] data, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The header and the first {@code rows} records (the E2E csv has no line breaks inside fields). */
    private static void head(Path from, Path to, int rows) throws IOException {
        List<String> lines = Files.readAllLines(from, StandardCharsets.UTF_8);
        Files.write(to, lines.subList(0, Math.min(lines.size(), rows + 1)), StandardCharsets.UTF_8);
    }

}
