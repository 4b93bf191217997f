package io.sparklora.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Loads the oracle files under src/test/resources/eval. */
final class TestResources {
    private TestResources() {}

    static JsonNode json(String name) {
        try (InputStream in = TestResources.class.getResourceAsStream("/eval/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /eval/" + name);
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path path(String name) {
        try {
            return Path.of(TestResources.class.getResource("/eval/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static List<List<String>> stringLists(JsonNode array) {
        List<List<String>> out = new ArrayList<>();
        array.forEach(n -> out.add(strings(n)));
        return out;
    }
}
