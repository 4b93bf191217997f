package io.sparklora.model.peft;

import io.sparklora.model.io.DType;
import io.sparklora.model.io.HfModelDir;
import io.sparklora.model.io.HfModelWriter;
import io.sparklora.model.io.Storage;
import io.sparklora.model.lora.LoraEmbedding;
import io.sparklora.model.lora.LoraLayer;
import io.sparklora.model.lora.LoraLinear;
import io.sparklora.model.lora.LoraMergedLinear;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.Param;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * PEFT's {@code merge_and_unload} as a file: every LoRA layer's {@code (α/r)·B·A} folded into its base weight
 * (in the weight's own layout, {@code [in, out]} for GPT-2's Conv1D), written as a plain Hugging Face model
 * directory without LoRA tensors. Works on any {@link Module}: the tensors are its parameters minus the
 * {@code lora_*} ones, so {@code modulesToSave} weights (trained in full) are included as they are. The model is
 * not changed; a layer that is currently merged ({@code eval()} with mergeWeights) already holds W + ΔW and is
 * written as it is. Merged tensors are written as F32.
 */
public final class MergedExport {
    private static final Logger LOG = LoggerFactory.getLogger(MergedExport.class);

    private MergedExport() {}

    /** The merged plain weights by model parameter name, in model order (holds them all in memory). */
    public static Map<String, PeftAdapter.Tensor> mergedWeights(Module model) {
        Objects.requireNonNull(model, "model");
        Map<String, PeftAdapter.Tensor> out = new LinkedHashMap<>();
        Map<String, Module> modules = model.namedModules();
        plainParameters(model).forEach((name, p) ->
                out.put(name, new PeftAdapter.Tensor(p.shape().getShape(), merged(modules, name, p))));
        return out;
    }

    /**
     * Writes the merged model under its own parameter names with {@code configJson} as {@code config.json}.
     *
     * @param overwrite replace the model files of an existing directory (see {@link HfModelWriter#write})
     */
    public static void write(Module model, String configJson, Storage storage, String dir, boolean overwrite)
            throws IOException {
        Objects.requireNonNull(model, "model");
        HfModelWriter w = new HfModelWriter(configJson);
        Map<String, Module> modules = model.namedModules();
        plainParameters(model).forEach((name, p) -> w.add(name, DType.F32, p.shape().getShape(),
                out -> writeFloats(out, merged(modules, name, p))));
        w.write(storage, dir, overwrite, HfModelWriter.DEFAULT_MAX_SHARD_BYTES);
    }

    /**
     * Writes the merged model as a copy of the base directory it was loaded from: {@code config.json} copied,
     * each parameter under the base checkpoint's name for it (the model name, or a suffix of it when the base
     * lacks a prefix such as {@code transformer.}), base tensors the model has no parameter for (mask buffers, a
     * tied {@code lm_head.weight}) copied unchanged, parameters the base lacks (a new head) under the model's name.
     *
     * @throws IllegalArgumentException naming a tensor whose base shape differs from the model's
     */
    public static void write(Module model, HfModelDir base, Storage storage, String dir, boolean overwrite,
                             long maxShardBytes) throws IOException {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(base, "base");
        Map<String, Param> params = plainParameters(model);
        Map<String, String> names = checkpointNames(params.keySet(), base.tensorNames(), base.path());
        HfModelWriter w = new HfModelWriter(base.configJson());
        Map<String, Module> modules = model.namedModules();
        List<String> added = new ArrayList<>();
        for (Map.Entry<String, Param> e : params.entrySet()) {
            String name = e.getKey();
            Param p = e.getValue();
            String target = names.get(name);
            if (base.tensorNames().contains(target)) {
                long[] baseShape = base.info(target).shape();
                if (!Arrays.equals(baseShape, p.shape().getShape())) {
                    throw new IllegalArgumentException(base.path() + ": tensor '" + target + "' has shape "
                            + Arrays.toString(baseShape) + " but the model's " + name + " has " + p.shape());
                }
            } else {
                added.add(target);
            }
            w.add(target, DType.F32, p.shape().getShape(), out -> writeFloats(out, merged(modules, name, p)));
        }
        List<String> copied = new ArrayList<>();
        Map<String, String> paramByBaseName = new HashMap<>();
        names.forEach((param, target) -> paramByBaseName.put(target, param));
        for (String t : base.tensorNames()) {
            if (!w.tensorNames().contains(t)) {
                String tiedTo = tiedParameter(base, t, paramByBaseName);
                if (tiedTo != null) {
                    // A saved copy of a tied weight (lm_head.weight = wte): it must follow the trained value.
                    Param p = params.get(tiedTo);
                    w.add(t, DType.F32, p.shape().getShape(), out -> writeFloats(out, merged(modules, tiedTo, p)));
                    LOG.info("merged export: {} is a tied copy of {}; written from the model", t, tiedTo);
                    continue;
                }
                w.add(t, base.info(t).dtype(), base.info(t).shape(), out -> {
                    ByteBuffer raw = base.readRaw(t);
                    byte[] chunk = new byte[1 << 16];
                    while (raw.hasRemaining()) {
                        int n = Math.min(chunk.length, raw.remaining());
                        raw.get(chunk, 0, n);
                        out.write(chunk, 0, n);
                    }
                });
                copied.add(t);
            }
        }
        if (!added.isEmpty()) {
            LOG.info("merged export: {} tensors not in the base checkpoint: {}", added.size(), added);
        }
        if (!copied.isEmpty()) {
            LOG.info("merged export: {} base tensors copied unchanged: {}", copied.size(), copied);
        }
        w.write(storage, dir, overwrite, maxShardBytes);
    }

    /** The parameter whose base tensor has exactly the bytes of base tensor {@code t}, or null. */
    private static String tiedParameter(HfModelDir base, String t, Map<String, String> paramByBaseName)
            throws IOException {
        io.sparklora.model.io.TensorInfo info = base.info(t);
        ByteBuffer bytes = null;
        for (Map.Entry<String, String> e : paramByBaseName.entrySet()) {
            if (!base.tensorNames().contains(e.getKey())) {
                continue;
            }
            io.sparklora.model.io.TensorInfo other = base.info(e.getKey());
            if (other.dtype() == info.dtype() && Arrays.equals(other.shape(), info.shape())) {
                bytes = bytes == null ? base.readRaw(t) : bytes;
                if (bytes.equals(base.readRaw(e.getKey()))) {
                    return e.getValue();
                }
            }
        }
        return null;
    }

    /**
     * Model parameter name → base checkpoint name: the same name if the base has it, else the longest suffix
     * (after a dot) it has, else {@code module.<name>}, else the model name.
     *
     * @throws IllegalArgumentException when two parameters would map to one base tensor
     */
    static Map<String, String> checkpointNames(Set<String> modelNames, Set<String> baseNames, String baseDesc) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> claimed = new HashMap<>();
        for (String n : modelNames) {
            String target = n;
            if (!baseNames.contains(n)) {
                if (baseNames.contains("module." + n)) {
                    target = "module." + n;
                } else {
                    for (int dot = n.indexOf('.'); dot >= 0; dot = n.indexOf('.', dot + 1)) {
                        if (baseNames.contains(n.substring(dot + 1))) {
                            target = n.substring(dot + 1);
                            break;
                        }
                    }
                }
            }
            String other = claimed.put(target, n);
            if (other != null) {
                throw new IllegalArgumentException(baseDesc + ": parameters " + other + " and " + n
                        + " both map to tensor '" + target + "'");
            }
            out.put(n, target);
        }
        return out;
    }

    /** Parameters without the LoRA ones, in model order. */
    static Map<String, Param> plainParameters(Module model) {
        Map<String, Param> out = new LinkedHashMap<>();
        model.namedParameters().forEach((n, p) -> {
            if (!n.substring(n.lastIndexOf('.') + 1).startsWith("lora_")) {
                out.put(n, p);
            }
        });
        return out;
    }

    /** The value of a plain parameter with its layer's ΔW folded in when it is a LoRA layer's weight. */
    static float[] merged(Map<String, Module> modules, String name, Param p) {
        float[] w = p.array().toFloatArray();
        int dot = name.lastIndexOf('.');
        Module owner = modules.get(dot < 0 ? "" : name.substring(0, dot));
        if (!(owner instanceof LoraLayer) || !name.substring(dot + 1).equals("weight")) {
            return w;
        }
        LoraLayer layer = (LoraLayer) owner;
        if (layer.isMerged() || layer.loraConfig().r() == 0) {
            return w;
        }
        double s = layer.loraConfig().scaling();
        if (owner instanceof LoraMergedLinear) {
            LoraMergedLinear m = (LoraMergedLinear) owner;
            addMerged(w, m.loraA().array().toFloatArray(), m.loraB().array().toFloatArray(), m.enableLora(),
                    m.loraConfig().r(), m.inFeatures(), m.outFeatures(), m.fanInFanOut(), s);
        } else if (owner instanceof LoraLinear) {
            LoraLinear l = (LoraLinear) owner;
            addMerged(w, l.loraA().array().toFloatArray(), l.loraB().array().toFloatArray(), new boolean[] {true},
                    l.loraConfig().r(), l.inFeatures(), l.outFeatures(), l.fanInFanOut(), s);
        } else if (owner instanceof LoraEmbedding) {
            // loralib: weight [num, dim] += (B·A)ᵀ·s with A [r, num], B [dim, r]: the Conv1D-like layout.
            LoraEmbedding e = (LoraEmbedding) owner;
            long[] shape = p.shape().getShape();
            addMerged(w, e.loraA().array().toFloatArray(), e.loraB().array().toFloatArray(), new boolean[] {true},
                    e.loraConfig().r(), (int) shape[0], (int) shape[1], true, s);
        } else {
            throw new IllegalArgumentException("LoRA layer '" + name.substring(0, dot) + "' is a "
                    + owner.getClass().getSimpleName() + "; merged export supports linear and embedding layers");
        }
        return w;
    }

    /**
     * w += s·ΔW with ΔW {@code [out, in]} = per enabled group e: B rows {@code [e·g, (e+1)·g)} times A rows
     * {@code [e·r, (e+1)·r)}, zero for disabled groups; w is {@code [in, out]} when fanInFanOut.
     */
    private static void addMerged(float[] w, float[] a, float[] b, boolean[] groups, int r, int in, int out,
                                  boolean fanInFanOut, double s) {
        int g = out / groups.length;
        int e = 0;
        for (int grp = 0; grp < groups.length; grp++) {
            if (!groups[grp]) {
                continue;
            }
            for (int j = 0; j < g; j++) {
                int o = grp * g + j;
                int bRow = (e * g + j) * r;
                for (int i = 0; i < in; i++) {
                    double acc = 0;
                    for (int k = 0; k < r; k++) {
                        acc += (double) b[bRow + k] * a[(e * r + k) * in + i];
                    }
                    int idx = fanInFanOut ? i * out + o : o * in + i;
                    w[idx] = (float) (w[idx] + s * acc);
                }
            }
            e++;
        }
    }

    private static void writeFloats(OutputStream out, float[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
            if (!buf.hasRemaining()) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            buf.putFloat(v);
        }
        out.write(buf.array(), 0, buf.position());
    }
}
