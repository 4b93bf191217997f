package io.sparklora.job.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparklora.model.lora.Lora;
import io.sparklora.model.nn.Autograd;
import io.sparklora.model.nn.Module;
import io.sparklora.model.nn.Param;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The order and shapes of a model's trainable parameters, so that LoRA weights and gradients travel
 * as one flat float array (kilobytes to a few MB, independent of the base model's size).
 */
public final class TrainableLayout implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String[] names;
    private final long[][] shapes;
    private final int[] offsets;
    private final int size;

    private TrainableLayout(String[] names, long[][] shapes) {
        this.names = names;
        this.shapes = shapes;
        this.offsets = new int[names.length + 1];
        long total = 0;
        for (int i = 0; i < names.length; i++) {
            offsets[i] = (int) total;
            long n = 1;
            for (long d : shapes[i]) {
                n *= d;
            }
            total += n;
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too many trainable values for one vector: " + total);
        }
        offsets[names.length] = (int) total;
        this.size = (int) total;
    }

    public static TrainableLayout of(Module model) {
        Map<String, Param> trainable = Lora.trainableParameters(model);
        if (trainable.isEmpty()) {
            throw new IllegalArgumentException("the model has no trainable parameters");
        }
        List<String> n = new ArrayList<>(trainable.keySet());
        long[][] s = new long[n.size()][];
        for (int i = 0; i < s.length; i++) {
            s[i] = trainable.get(n.get(i)).shape().getShape();
        }
        return new TrainableLayout(n.toArray(new String[0]), s);
    }

    public int size() {
        return size;
    }

    public List<String> names() {
        return List.of(names);
    }

    public long[] shape(int i) {
        return shapes[i].clone();
    }

    public int offset(int i) {
        return offsets[i];
    }

    /** The slice of a flat vector that belongs to parameter {@code i}. */
    public float[] slice(float[] flat, int i) {
        return Arrays.copyOfRange(flat, offsets[i], offsets[i + 1]);
    }

    /** The current values of the trainable parameters. */
    public float[] read(Module model) {
        float[] out = new float[size];
        Map<String, Param> params = model.namedParameters();
        for (int i = 0; i < names.length; i++) {
            float[] v = param(params, i).array().toFloatArray();
            System.arraycopy(v, 0, out, offsets[i], v.length);
        }
        return out;
    }

    /** Sets the trainable parameters from a flat vector. */
    public void write(Module model, float[] flat) {
        checkSize(flat);
        Map<String, Param> params = model.namedParameters();
        for (int i = 0; i < names.length; i++) {
            param(params, i).load(names[i], slice(flat, i));
        }
    }

    /** Adds the accumulated gradients into {@code into}, then zeroes them on the model. */
    public void drainGradients(Module model, float[] into, NDManager scratch) {
        checkSize(into);
        Map<String, Param> params = model.namedParameters();
        for (int i = 0; i < names.length; i++) {
            Param p = param(params, i);
            NDArray g = Autograd.gradient(p, scratch);
            if (g != null) {
                float[] v = g.toFloatArray();
                int o = offsets[i];
                for (int j = 0; j < v.length; j++) {
                    into[o + j] += v[j];
                }
                Autograd.zeroGradient(p);
            }
        }
    }

    private Param param(Map<String, Param> params, int i) {
        Param p = params.get(names[i]);
        if (p == null || !Arrays.equals(p.shape().getShape(), shapes[i])) {
            throw new IllegalStateException("model does not match the trainable layout at " + names[i]);
        }
        return p;
    }

    private void checkSize(float[] flat) {
        if (flat.length != size) {
            throw new IllegalArgumentException("vector has " + flat.length + " values, layout has " + size);
        }
    }
}
