package io.sparklora.job.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparklora.job.dist.TrainableLayout;
import io.sparklora.job.train.TrainState;
import io.sparklora.model.io.SafetensorsReader;
import io.sparklora.model.io.SafetensorsWriter;
import io.sparklora.model.io.Storage;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.peft.PeftAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Checkpoints of one task's adapter under {@code adapters/<task>/}: {@code step-<n>/} during training
 * and {@code final/} at the end. Each is a PEFT adapter directory plus the optimizer moments and the
 * trainer state, written under a temporary name and renamed when complete; {@code MANIFEST.json}
 * with every file's SHA-256 is written last, so a directory without a valid manifest is incomplete
 * or corrupt and is skipped on resume.
 */
public final class CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String MANIFEST = "MANIFEST.json";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String STATE = "trainer_state.json";

    private final Storage storage;
    private final String dir;
    private final LoraSpec spec;
    private final PeftAdapter.Meta meta;

    public CheckpointStore(Storage storage, String adaptersDir, LoraSpec spec, PeftAdapter.Meta meta) {
        this.storage = storage;
        this.dir = adaptersDir;
        this.spec = spec;
        this.meta = meta;
    }

    public static String stepName(long step) {
        return String.format("step-%08d", step);
    }

    /** Writes a checkpoint and returns its path; an existing one of the same name is replaced. */
    public String write(String name, TrainState state, boolean withOptimizer, Map<String, Object> info) throws IOException {
        String tmp = dir + "/." + name + ".tmp-" + UUID.randomUUID();
        String target = dir + "/" + name;
        storage.mkdirs(tmp);
        PeftAdapter.write(tensors(state.layout, state.params), spec, meta, storage, tmp);
        if (withOptimizer) {
            new SafetensorsWriter().metadata("step", Long.toString(state.optimizer.stepCount()))
                    .addFloats("exp_avg", new long[] {state.params.length}, state.optimizer.firstMoment())
                    .addFloats("exp_avg_sq", new long[] {state.params.length}, state.optimizer.secondMoment())
                    .write(storage, tmp + "/" + OPTIMIZER);
        }
        ObjectNode st = JSON.createObjectNode();
        st.put("step", state.step);
        st.put("optimizer_step", state.optimizer.stepCount());
        info.forEach((k, v) -> st.putPOJO(k, v));
        byte[] stateBytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(st);
        storage.writeAtomically(tmp + "/" + STATE, true, out -> out.write(stateBytes));
        ObjectNode files = JSON.createObjectNode();
        for (String f : storage.list(tmp)) {
            String file = f.substring(f.lastIndexOf('/') + 1);
            if (!file.startsWith(".")) {
                files.put(file, sha256(tmp + "/" + file));
            }
        }
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("step", state.step);
        manifest.set("sha256", files);
        byte[] manifestBytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
        storage.writeAtomically(tmp + "/" + MANIFEST, true, out -> out.write(manifestBytes));
        if (storage.exists(target)) {
            storage.delete(target, true);
        }
        storage.rename(tmp, target);
        LOG.info("checkpoint {} written", target);
        return target;
    }

    /** The trainable tensors by name, cut from the flat vector. */
    public static Map<String, PeftAdapter.Tensor> tensors(TrainableLayout layout, float[] flat) {
        Map<String, PeftAdapter.Tensor> out = new LinkedHashMap<>();
        List<String> names = layout.names();
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), new PeftAdapter.Tensor(layout.shape(i), layout.slice(flat, i)));
        }
        return out;
    }

    /** What a valid checkpoint holds. */
    public record Restored(String path, long step, float[] params, float[] expAvg, float[] expAvgSq, long optimizerStep) {}

    /**
     * The newest complete checkpoint whose checksums match ({@code final} first, then the highest step);
     * corrupt ones are skipped with a warning.
     */
    public Optional<Restored> latest(TrainableLayout layout) throws IOException {
        if (!storage.exists(dir)) {
            return Optional.empty();
        }
        List<String> steps = storage.list(dir).stream()
                .map(p -> p.substring(p.lastIndexOf('/') + 1))
                .filter(n -> n.equals("final") || n.matches("step-\\d{8}"))
                .sorted((a, b) -> a.equals("final") ? -1 : b.equals("final") ? 1 : b.compareTo(a)).toList();
        for (String name : steps) {
            String path = dir + "/" + name;
            try {
                return Optional.of(restore(path, layout));
            } catch (IOException | RuntimeException e) {
                LOG.warn("skipping checkpoint {}: {}", path, e.getMessage());
            }
        }
        return Optional.empty();
    }

    Restored restore(String path, TrainableLayout layout) throws IOException {
        if (!storage.exists(path + "/" + MANIFEST)) {
            throw new IOException("no " + MANIFEST + " (incomplete checkpoint)");
        }
        JsonNode manifest = JSON.readTree(storage.readAllBytes(path + "/" + MANIFEST, 1 << 20));
        for (Iterator<Map.Entry<String, JsonNode>> it = manifest.get("sha256").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String actual = sha256(path + "/" + e.getKey());
            if (!actual.equals(e.getValue().asText())) {
                throw new IOException(e.getKey() + " has SHA-256 " + actual + ", manifest says " + e.getValue().asText());
            }
        }
        PeftAdapter.Loaded adapter = PeftAdapter.read(storage, path, spec.enableLora());
        float[] params = new float[layout.size()];
        List<String> names = layout.names();
        for (int i = 0; i < names.size(); i++) {
            PeftAdapter.Tensor t = adapter.tensors().get(names.get(i));
            if (t == null || t.data().length != layout.slice(params, i).length) {
                throw new IOException("adapter lacks " + names.get(i) + " or has another shape");
            }
            System.arraycopy(t.data(), 0, params, layout.offset(i), t.data().length);
        }
        JsonNode st = JSON.readTree(storage.readAllBytes(path + "/" + STATE, 1 << 20));
        try (SafetensorsReader r = SafetensorsReader.open(storage, path + "/" + OPTIMIZER)) {
            return new Restored(path, st.get("step").asLong(), params, r.readFloats("exp_avg"),
                    r.readFloats("exp_avg_sq"), Long.parseLong(r.metadata().get("step")));
        }
    }

    private String sha256(String path) throws IOException {
        try (InputStream in = storage.open(path)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
