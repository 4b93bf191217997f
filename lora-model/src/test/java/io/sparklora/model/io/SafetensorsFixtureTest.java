package io.sparklora.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real files written by the fixture generator, checked against a stdlib-only Python reader (oracle/). */
class SafetensorsFixtureTest {
    @TempDir Path tmp;

    private static JsonNode oracle(String file) throws Exception {
        try (InputStream in = SafetensorsFixtureTest.class.getResourceAsStream("/io/oracle/expected.json")) {
            assertNotNull(in, "oracle json on the test class path");
            JsonNode n = new ObjectMapper().readTree(in).get(file);
            assertNotNull(n, file + " in the oracle");
            return n;
        }
    }

    private static Path resource(Path tmp, String name) throws Exception {
        Path p = tmp.resolve(name);
        try (InputStream in = SafetensorsFixtureTest.class.getResourceAsStream("/io/" + name)) {
            assertNotNull(in, name);
            Files.copy(in, p);
        }
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"lora_linear.safetensors", "bert_lora_cls.io.safetensors"})
    void readsFixtureLikeTheOracle(String file) throws Exception {
        JsonNode expected = oracle(file);
        Path p = resource(tmp, file);
        try (SafetensorsReader r = SafetensorsReader.open(p)) {
            TreeSet<String> names = new TreeSet<>();
            expected.get("tensors").fieldNames().forEachRemaining(names::add);
            assertEquals(names, new TreeSet<>(r.tensors().keySet()));
            Iterator<Map.Entry<String, JsonNode>> meta = expected.get("metadata").fields();
            int metaCount = 0;
            while (meta.hasNext()) {
                Map.Entry<String, JsonNode> m = meta.next();
                assertEquals(m.getValue().asText(), r.metadata().get(m.getKey()));
                metaCount++;
            }
            assertEquals(metaCount, r.metadata().size());
            long previousEnd = 0;
            for (TensorInfo t : r.tensors().values()) {
                JsonNode e = expected.get("tensors").get(t.name());
                assertEquals(e.get("dtype").asText(), t.dtype().name(), t.name());
                long[] shape = new long[e.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = e.get("shape").get(i).asLong();
                }
                assertArrayEquals(shape, t.shape(), t.name());
                assertEquals(e.get("data_offsets").get(0).asLong(), t.begin(), t.name());
                assertEquals(e.get("data_offsets").get(1).asLong(), t.end(), t.name());
                assertEquals(previousEnd, t.begin(), "file order: " + t.name());
                previousEnd = t.end();
                double sum = 0;
                double[] first;
                if (t.dtype() == DType.F32) {
                    float[] v = r.readFloats(t.name());
                    for (float x : v) {
                        sum += x;
                    }
                    first = new double[Math.min(4, v.length)];
                    for (int i = 0; i < first.length; i++) {
                        first[i] = v[i];
                    }
                } else {
                    long[] v = r.readLongs(t.name());
                    for (long x : v) {
                        sum += x;
                    }
                    first = new double[Math.min(4, v.length)];
                    for (int i = 0; i < first.length; i++) {
                        first[i] = v[i];
                    }
                }
                double es = e.get("sum").asDouble();
                assertEquals(es, sum, 1e-9 * Math.max(1, Math.abs(es)) + 1e-6, t.name() + " sum");
                for (int i = 0; i < first.length; i++) {
                    assertEquals(e.get("first").get(i).asDouble(), first[i], 0.0, t.name() + "[" + i + "]");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lora_linear.safetensors", "bert_lora_cls.io.safetensors"})
    void rewritingAFixtureKeepsEveryTensor(String file) throws Exception {
        Path p = resource(tmp, file);
        Path copy = tmp.resolve("copy.safetensors");
        try (SafetensorsReader r = SafetensorsReader.open(p)) {
            SafetensorsWriter w = new SafetensorsWriter();
            r.metadata().forEach(w::metadata);
            for (TensorInfo t : r.tensors().values()) {
                w.addRaw(t.name(), t.dtype(), t.shape(), r.readRaw(t.name()));
            }
            w.write(copy);
            try (SafetensorsReader c = SafetensorsReader.open(copy)) {
                assertEquals(r.tensors(), c.tensors(), "same names, dtypes, shapes and offsets (already contiguous)");
                assertEquals(r.metadata(), c.metadata());
                for (TensorInfo t : r.tensors().values()) {
                    assertEquals(r.readRaw(t.name()), c.readRaw(t.name()), t.name());
                }
            }
        }
    }
}
