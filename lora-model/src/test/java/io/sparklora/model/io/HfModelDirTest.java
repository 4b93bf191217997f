package io.sparklora.model.io;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.gpt2.Gpt2Checkpoints;
import io.sparklora.model.gpt2.Gpt2LMHeadModel;
import io.sparklora.model.gpt2.TinyGpt2;
import io.sparklora.model.nn.Param;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hugging Face model directories: single file, shards, refusals, and strict GPT-2 loading errors. */
class HfModelDirTest {
    private static final String CONFIG = "{\"model_type\": \"gpt2\", \"n_layer\": 2, \"n_embd\": 32, \"n_head\": 4, "
            + "\"vocab_size\": 100, \"n_positions\": 64}";
    private static final Storage FS = Storage.local();

    @TempDir
    static Path tmp;
    private static NDManager root;
    /** The tiny GPT-2's tensors under HF names, as float arrays. */
    private static Map<String, float[]> values;
    private static Map<String, long[]> shapes;

    @BeforeAll
    static void setUp() {
        root = NDManager.newBaseManager();
        values = new LinkedHashMap<>();
        shapes = new LinkedHashMap<>();
        try (NDManager m = root.newSubManager()) {
            Engine.getInstance().setRandomSeed(5);
            Gpt2LMHeadModel model = Gpt2LMHeadModel.build(TinyGpt2.config(), m);
            for (Map.Entry<String, Param> e : model.namedParameters().entrySet()) {
                values.put(e.getKey(), e.getValue().array().toFloatArray());
                shapes.put(e.getKey(), e.getValue().shape().getShape());
            }
        }
    }

    @AfterAll
    static void tearDown() {
        root.close();
    }

    private static SafetensorsWriter writerOf(Map<String, float[]> v) {
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        v.forEach((k, d) -> w.addFloats(k, shapes.getOrDefault(k, new long[] {d.length}), d));
        return w;
    }

    private static Path single(String name, Map<String, float[]> v) throws IOException {
        Path d = tmp.resolve(name);
        Files.createDirectories(d);
        Files.writeString(d.resolve("config.json"), CONFIG);
        writerOf(v).write(d.resolve("model.safetensors"));
        return d;
    }

    /** Two shards: tensors alternate between them; the index may be given as text. */
    private static Path sharded(String name, String indexOverride) throws IOException {
        Path d = tmp.resolve(name);
        Files.createDirectories(d);
        Files.writeString(d.resolve("config.json"), CONFIG);
        Map<String, float[]> s1 = new LinkedHashMap<>();
        Map<String, float[]> s2 = new LinkedHashMap<>();
        StringBuilder map = new StringBuilder();
        int i = 0;
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            boolean first = i++ % 2 == 0;
            (first ? s1 : s2).put(e.getKey(), e.getValue());
            map.append(map.length() == 0 ? "" : ", ").append('"').append(e.getKey()).append("\": \"")
                    .append(first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors").append('"');
        }
        writerOf(s1).write(d.resolve("model-00001-of-00002.safetensors"));
        writerOf(s2).write(d.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(d.resolve("model.safetensors.index.json"), indexOverride != null ? indexOverride
                : "{\"metadata\": {\"total_size\": 0}, \"weight_map\": {" + map + "}}");
        return d;
    }

    private static Gpt2LMHeadModel loadGpt2(Path dir, NDManager m) throws IOException {
        try (HfModelDir d = HfModelDir.open(FS, dir.toString())) {
            Gpt2LMHeadModel model = Gpt2LMHeadModel.build(TinyGpt2.config(), m);
            model.loadStateDict(Gpt2Checkpoints.huggingFace(d.tensors()), true);
            return model;
        }
    }

    private static void assertSameValues(Gpt2LMHeadModel model) {
        model.namedParameters().forEach((n, p) -> assertArrayEquals(values.get(n), p.array().toFloatArray(), 0f, n));
    }

    @Test
    void singleFileLoadsIntoGpt2() throws IOException {
        Path d = single("single", values);
        try (HfModelDir dir = HfModelDir.open(FS, d.toString() + "/")) {
            assertEquals(values.keySet(), dir.tensorNames());
            assertEquals("gpt2", dir.modelType());
            assertEquals(CONFIG, dir.configJson());
            assertTrue(dir.fileOf("transformer.wte.weight").endsWith("model.safetensors"));
        }
        try (NDManager m = root.newSubManager()) {
            assertSameValues(loadGpt2(d, m));
        }
    }

    @Test
    void shardedIndexLoadsIntoGpt2() throws IOException {
        Path d = sharded("sharded", null);
        try (HfModelDir dir = HfModelDir.open(FS, d.toString())) {
            assertEquals(values.keySet(), dir.tensorNames());
            assertTrue(dir.fileOf("transformer.wpe.weight").endsWith("model-00002-of-00002.safetensors"));
        }
        try (NDManager m = root.newSubManager()) {
            assertSameValues(loadGpt2(d, m));
        }
    }

    @Test
    void missingConfigIsRefused() throws IOException {
        Path d = single("noconfig", values);
        Files.delete(d.resolve("config.json"));
        IOException e = assertThrows(IOException.class, () -> HfModelDir.open(FS, d.toString()));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains(d.toString()), e.getMessage());
    }

    @Test
    void pickleOnlyIsRefusedWithConversionHelp() throws IOException {
        Path d = tmp.resolve("pickle");
        Files.createDirectories(d);
        Files.writeString(d.resolve("config.json"), CONFIG);
        // Bytes that would run code if unpickled: they must never be read.
        Files.write(d.resolve("pytorch_model.bin"), "cos\nsystem\n(S'false'\ntR.".getBytes(StandardCharsets.US_ASCII));
        IOException e = assertThrows(IOException.class, () -> HfModelDir.open(FS, d.toString()));
        String msg = e.getMessage();
        assertTrue(msg.contains("pytorch_model.bin") && msg.contains("pickle"), msg);
        assertTrue(msg.contains("safe_serialization=True") && msg.contains("weights_only=True"), msg);
    }

    @Test
    void noWeightsAtAllIsRefused() throws IOException {
        Path d = tmp.resolve("empty");
        Files.createDirectories(d);
        Files.writeString(d.resolve("config.json"), CONFIG);
        IOException e = assertThrows(IOException.class, () -> HfModelDir.open(FS, d.toString()));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    @Test
    void shardNamesThatLeaveTheDirectoryAreRefused() throws IOException {
        for (String bad : new String[] {"../model.safetensors", "sub/model.safetensors", "..", "/etc/passwd"}) {
            Path d = sharded("escape" + Math.abs(bad.hashCode()),
                    "{\"weight_map\": {\"transformer.wte.weight\": \"" + bad + "\"}}");
            IOException e = assertThrows(IOException.class, () -> HfModelDir.open(FS, d.toString()), bad);
            assertTrue(e.getMessage().contains("transformer.wte.weight") && e.getMessage().contains(bad), e.getMessage());
        }
        Path d = sharded("nonstring", "{\"weight_map\": {\"transformer.wte.weight\": 3}}");
        IOException e = assertThrows(IOException.class, () -> HfModelDir.open(FS, d.toString()));
        assertTrue(e.getMessage().contains("transformer.wte.weight"), e.getMessage());
    }

    @Test
    void tensorListedInIndexButMissingFromItsShardIsNamed() throws IOException {
        Path d = sharded("missing-in-shard", "{\"weight_map\": {\"transformer.wte.weight\": "
                + "\"model-00001-of-00002.safetensors\", \"transformer.ghost.weight\": \"model-00002-of-00002.safetensors\"}}");
        IOException e = assertThrows(IOException.class, () -> HfModelDir.open(FS, d.toString()));
        assertTrue(e.getMessage().contains("transformer.ghost.weight")
                && e.getMessage().contains("model-00002-of-00002.safetensors"), e.getMessage());
    }

    @Test
    void unknownMissingAndMisShapedTensorsAreNamedWhenLoadingGpt2() throws IOException {
        Map<String, float[]> unknown = new LinkedHashMap<>(values);
        unknown.put("transformer.h.0.attn.q_proj.weight", new float[4]);
        Map<String, float[]> missing = new LinkedHashMap<>(values);
        missing.remove("transformer.h.1.mlp.c_fc.bias");
        Map<String, float[]> misShaped = new LinkedHashMap<>(values);
        misShaped.put("transformer.h.0.ln_1.weight", new float[33]);
        try (NDManager m = root.newSubManager()) {
            Path du = single("unknown", unknown);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loadGpt2(du, m));
            assertTrue(e.getMessage().contains("transformer.h.0.attn.q_proj.weight"), e.getMessage());
            Path dm = single("missing", missing);
            e = assertThrows(IllegalArgumentException.class, () -> loadGpt2(dm, m));
            assertTrue(e.getMessage().contains("transformer.h.1.mlp.c_fc.bias"), e.getMessage());
        }
        // A mis-shaped tensor: written with its own (wrong) shape.
        Path ds = tmp.resolve("misshaped");
        Files.createDirectories(ds);
        Files.writeString(ds.resolve("config.json"), CONFIG);
        SafetensorsWriter w = new SafetensorsWriter();
        misShaped.forEach((k, v) -> w.addFloats(k, k.equals("transformer.h.0.ln_1.weight") ? new long[] {33}
                : shapes.get(k), v));
        w.write(ds.resolve("model.safetensors"));
        try (NDManager m = root.newSubManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loadGpt2(ds, m));
            assertTrue(e.getMessage().contains("transformer.h.0.ln_1.weight") && e.getMessage().contains("33"),
                    e.getMessage());
        }
    }

    @Test
    void writerShardsAndRefusesToOverwriteUnlessAsked() throws IOException {
        Path d = tmp.resolve("written");
        HfModelWriter w = new HfModelWriter(CONFIG);
        values.forEach((k, v) -> w.add(k, DType.F32, shapes.get(k), out -> {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            out.write(b.array());
        }));
        w.write(FS, d.toString(), false, 16_000);
        assertTrue(Files.exists(d.resolve("model.safetensors.index.json")));
        assertFalse(Files.exists(d.resolve("model.safetensors")));
        try (NDManager m = root.newSubManager()) {
            assertSameValues(loadGpt2(d, m));
        }
        assertThrows(FileAlreadyExistsException.class, () -> w.write(FS, d.toString(), false, 16_000));
        // Overwrite with a single file: the old shards and index go away.
        w.write(FS, d.toString(), true, Long.MAX_VALUE);
        try (var files = Files.list(d)) {
            assertEquals(Set.of("config.json", "model.safetensors"),
                    files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
        try (NDManager m = root.newSubManager()) {
            assertSameValues(loadGpt2(d, m));
        }
        assertThrows(IllegalArgumentException.class, () -> new HfModelWriter("[1, 2]"));
    }
}
