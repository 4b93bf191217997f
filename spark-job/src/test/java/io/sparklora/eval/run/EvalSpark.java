package io.sparklora.eval.run;

import io.sparklora.job.spark.SparkSetup;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.nio.file.Path;

/** Sessions and repository files for the evaluation tests. */
final class EvalSpark {
    private EvalSpark() {}

    /** local[2] with sparklora's Kryo settings and every shipped class required to be registered. */
    static SparkSession strictSession(String name) {
        SparkConf conf = SparkSetup.configure(new SparkConf().setMaster("local[2]").setAppName(name)
                .set("spark.ui.enabled", "false").set("spark.kryo.registrationRequired", "true")
                .set("spark.sql.shuffle.partitions", "2"));
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /** The repository's {@code data/} folder (E2E sample, GPT-2 tokenizer), found above the working directory. */
    static Path repoData() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("data/vocab/gpt2")) && Files.exists(p.resolve("pom.xml"))) {
                return p.resolve("data");
            }
            p = p.getParent();
        }
        throw new IllegalStateException("repository data/ folder not found above " + Path.of("").toAbsolutePath());
    }
}
