package io.sparklora.data.prepare;

import io.sparklora.data.tokenize.TokenizerKind;
import io.sparklora.data.tokenize.TokenizerSpec;
import io.sparklora.data.tokenize.Tokenizers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Loads a tokenizer spec from any Hadoop file system (on the driver; the spec is then broadcast). */
public final class TokenizerFiles {

    private TokenizerFiles() {}

    /**
     * @param location a tokenizer.json, a BERT vocab.txt, or a directory holding {@code tokenizer.json}
     *     (or, for BERT, {@code vocab.txt})
     */
    public static TokenizerSpec load(TokenizerKind kind, String location, Configuration conf) throws IOException {
        Path p = new Path(location);
        FileSystem fs = p.getFileSystem(conf);
        if (!fs.exists(p)) {
            throw new IllegalArgumentException(kind + " tokenizer path does not exist: " + location);
        }
        if (fs.getFileStatus(p).isDirectory()) {
            Path json = new Path(p, "tokenizer.json");
            Path vocab = new Path(p, "vocab.txt");
            if (kind == TokenizerKind.BERT && !fs.exists(json) && fs.exists(vocab)) {
                p = vocab;
            } else if (fs.exists(json)) {
                p = json;
            } else {
                throw new IllegalArgumentException("no tokenizer.json"
                        + (kind == TokenizerKind.BERT ? " or vocab.txt" : "") + " in " + location);
            }
        }
        try (InputStream in = fs.open(p)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return Tokenizers.specFromText(kind, p.getName(), text);
        }
    }
}
