package io.sparklora.model.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.io.SafetensorsReader;
import io.sparklora.model.io.SafetensorsWriter;
import io.sparklora.model.io.Storage;
import io.sparklora.model.lora.Bias;
import io.sparklora.model.lora.Lora;
import io.sparklora.model.lora.LoraLayer;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.TensorSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * loralib's checkpoint, {@code torch.save(lora.lora_state_dict(model, bias))}, as a safetensors file: the
 * state-dict entries {@link Lora#loraStateDict} selects, under loralib's names (the model's own state-dict
 * names, e.g. {@code transformer.h.0.attn.c_attn.lora_A}), float32. The {@code __metadata__} records the bias
 * mode. Python reads it with {@code safetensors.torch.load_file} and
 * {@code model.load_state_dict(sd, strict=False)}, as loralib's README loads its checkpoints.
 */
public final class LoralibCheckpoint {
    static final String FORMAT_KEY = "sparklora_format";
    static final String FORMAT = "loralib_state_dict";

    private LoralibCheckpoint() {}

    /** Writes {@code lora_state_dict(model, bias)} atomically to {@code path}. */
    public static void save(Module model, Bias bias, Storage storage, String path) throws IOException {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(bias, "bias");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(path, "path");
        Map<String, NDArray> state = Lora.loraStateDict(model, bias);
        if (state.isEmpty()) {
            throw new IllegalArgumentException(model.getClass().getSimpleName() + " has no LoRA parameters to save");
        }
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt").metadata(FORMAT_KEY, FORMAT)
                .metadata("bias", bias.loralibName());
        state.forEach((name, array) -> w.addFloats(name, array.getShape().getShape(), array.toFloatArray()));
        w.write(storage, path);
    }

    /**
     * Loads a loralib checkpoint into a model with LoRA injected. Every tensor must be a state-dict entry of the
     * model with the right shape, and every LoRA parameter of the model must be in the file.
     *
     * @return the names loaded
     * @throws IllegalArgumentException naming the tensor that is unknown, missing or mis-shaped
     * @throws IllegalStateException when a LoRA layer is merged (call {@code train()} first)
     */
    public static Set<String> load(Module model, Storage storage, String path) throws IOException {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(storage, "storage");
        model.namedModules().forEach((n, m) -> {
            if (m instanceof LoraLayer && ((LoraLayer) m).isMerged()) {
                throw new IllegalStateException("LoRA layer '" + n + "' has ΔW merged into its weight; "
                        + "call train() before loading a LoRA checkpoint");
            }
        });
        try (SafetensorsReader r = SafetensorsReader.open(storage, path)) {
            Set<String> names = r.tensors().keySet();
            Map<String, NDArray> state = model.stateDict();
            Set<String> unknown = new TreeSet<>(names);
            unknown.removeAll(state.keySet());
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException(path + " has tensors the model does not: " + unknown);
            }
            for (String n : names) {
                long[] want = state.get(n).getShape().getShape();
                if (!java.util.Arrays.equals(r.info(n).shape(), want)) {
                    throw new IllegalArgumentException(path + ": tensor '" + n + "' has shape "
                            + java.util.Arrays.toString(r.info(n).shape()) + ", expected "
                            + java.util.Arrays.toString(want));
                }
            }
            Set<String> missing = new TreeSet<>();
            for (String n : model.namedParameters().keySet()) {
                if (n.substring(n.lastIndexOf('.') + 1).startsWith("lora_") && !names.contains(n)) {
                    missing.add(n);
                }
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(path + " lacks LoRA parameters the model has: " + missing);
            }
            TensorSource source = new TensorSource() {
                @Override
                public Set<String> names() {
                    return names;
                }

                @Override
                public NDArray load(String name, NDManager manager) {
                    try {
                        return r.readNDArray(name, manager);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }

                @Override
                public String description() {
                    return path;
                }
            };
            List<String> unused = model.loadStateDict(source, false);
            if (!unused.isEmpty()) {
                throw new IllegalStateException(path + ": tensors not loaded: " + unused);
            }
            return new TreeSet<>(names);
        }
    }
}
