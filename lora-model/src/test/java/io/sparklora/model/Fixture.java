package io.sparklora.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A golden case from {@code shared/fixtures} (copied into test resources): its JSON description and
 * its tensors, compared with the per-tensor tolerance the fixture generator recorded.
 */
public final class Fixture {
    private static final ObjectMapper JSON = new ObjectMapper();

    public final String name;
    public final JsonNode json;
    private final Map<String, float[]> floats = new HashMap<>();
    private final Map<String, long[]> longs = new HashMap<>();
    private final Map<String, long[]> shapes = new HashMap<>();

    private Fixture(String name, JsonNode json) {
        this.name = name;
        this.json = json;
    }

    /** Loads {@code fixtures/<name>.json} and the safetensors files it lists. */
    public static Fixture load(String name) {
        try {
            JsonNode json = JSON.readTree(resource(name + ".json"));
            Fixture f = new Fixture(name, json);
            for (JsonNode file : json.get("files")) {
                f.readSafetensors(resource(file.asText()).readAllBytes());
            }
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String file) {
        InputStream in = Fixture.class.getResourceAsStream("/fixtures/" + file);
        if (in == null) {
            throw new IllegalStateException("missing test resource fixtures/" + file);
        }
        return in;
    }

    // Deliberately independent of the production safetensors reader: the fixtures use F32 and I64 only.
    private void readSafetensors(byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = (int) buf.getLong(0);
        JsonNode header = JSON.readTree(new String(bytes, 8, headerLen, java.nio.charset.StandardCharsets.UTF_8));
        int base = 8 + headerLen;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode t = e.getValue();
            long[] shape = new long[t.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.get("shape").get(i).asLong();
            }
            int begin = base + t.get("data_offsets").get(0).asInt();
            int end = base + t.get("data_offsets").get(1).asInt();
            shapes.put(e.getKey(), shape);
            switch (t.get("dtype").asText()) {
                case "F32": {
                    float[] v = new float[(end - begin) / 4];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = buf.getFloat(begin + 4 * i);
                    }
                    floats.put(e.getKey(), v);
                    break;
                }
                case "I64": {
                    long[] v = new long[(end - begin) / 8];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = buf.getLong(begin + 8 * i);
                    }
                    longs.put(e.getKey(), v);
                    break;
                }
                default:
                    throw new IllegalStateException("unexpected dtype in fixture " + name);
            }
        }
    }

    public boolean has(String tensor) {
        return shapes.containsKey(tensor);
    }

    public Shape shape(String tensor) {
        return new Shape(shapeOf(tensor));
    }

    private long[] shapeOf(String tensor) {
        long[] s = shapes.get(tensor);
        if (s == null) {
            throw new IllegalArgumentException(name + ": no tensor " + tensor);
        }
        return s;
    }

    public float[] floats(String tensor) {
        shapeOf(tensor);
        return floats.get(tensor);
    }

    public NDArray array(NDManager m, String tensor) {
        long[] s = shapeOf(tensor);
        if (longs.containsKey(tensor)) {
            return m.create(longs.get(tensor), new Shape(s));
        }
        return m.create(floats.get(tensor), new Shape(s));
    }

    public JsonNode hyper() {
        return json.get("hyperparameters");
    }

    /** Asserts {@code actual} matches the fixture tensor within its recorded tolerance. */
    public void assertClose(String tensor, NDArray actual) {
        assertClose(tensor, actual.toFloatArray(), actual.getShape());
    }

    public void assertClose(String tensor, float[] actual, Shape actualShape) {
        assertEquals(shape(tensor), actualShape, name + ": shape of " + tensor);
        JsonNode tol = json.get("tensors").get(tensor).get("tolerance");
        assertTrue(tol != null, name + ": no tolerance recorded for " + tensor);
        double rtol = tol.get("rtol").asDouble();
        double atol = tol.get("atol").asDouble();
        float[] expected = floats(tensor);
        int bad = 0;
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs((double) actual[i] - expected[i]);
            double allowed = atol + rtol * Math.abs(expected[i]);
            if (!(err <= allowed)) {
                bad++;
                if (!(err <= worst)) {
                    worst = err;
                    worstAt = i;
                }
            }
        }
        if (bad > 0) {
            fail(String.format("%s: %s differs in %d of %d values; worst at %d: %s vs expected %s (atol %g, rtol %g)",
                    name, tensor, bad, expected.length, worstAt, actual[worstAt], expected[worstAt], atol, rtol));
        }
    }
}
