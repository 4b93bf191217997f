package io.sparklora.model.tf;

import io.sparklora.model.io.SafetensorsReader;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A plain float32 BERT encoder (HF architecture: post-LayerNorm, erf GELU, no mask) over a converted
 * {@code model.safetensors}, just enough to compare with the reference outputs in the fixture.
 */
final class BertForwardOracle {
    private final Map<String, float[]> w = new HashMap<>();
    private final int hidden;
    private final int heads;
    private final int layers;
    private final int inter;
    private final int vocab;

    BertForwardOracle(SafetensorsReader r, int layers, int hidden, int heads, int inter, int vocab) throws IOException {
        for (String n : r.tensors().keySet()) {
            w.put(n, r.readFloats(n));
        }
        this.layers = layers;
        this.hidden = hidden;
        this.heads = heads;
        this.inter = inter;
        this.vocab = vocab;
    }

    private float[] p(String name) {
        float[] a = w.get(name);
        if (a == null) {
            throw new IllegalStateException("missing " + name);
        }
        return a;
    }

    /** y[t] = x[t] W^T + b with W [out, in] row-major. */
    private float[] linear(float[] x, int t, int in, int out, String prefix) {
        float[] wt = p(prefix + ".weight");
        float[] b = p(prefix + ".bias");
        float[] y = new float[t * out];
        // rows of the weight in parallel: each output keeps its own fixed summation order (deterministic)
        java.util.stream.IntStream.range(0, out).parallel().forEach(o -> {
            for (int r = 0; r < t; r++) {
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int xo = r * in;
                int wo = o * in;
                int i = 0;
                for (; i + 3 < in; i += 4) {
                    s0 += x[xo + i] * wt[wo + i];
                    s1 += x[xo + i + 1] * wt[wo + i + 1];
                    s2 += x[xo + i + 2] * wt[wo + i + 2];
                    s3 += x[xo + i + 3] * wt[wo + i + 3];
                }
                for (; i < in; i++) {
                    s0 += x[xo + i] * wt[wo + i];
                }
                y[r * out + o] = (s0 + s1) + (s2 + s3) + b[o];
            }
        });
        return y;
    }

    private void layerNorm(float[] x, int t, String prefix) {
        float[] g = p(prefix + ".weight");
        float[] b = p(prefix + ".bias");
        for (int r = 0; r < t; r++) {
            double mean = 0;
            for (int i = 0; i < hidden; i++) {
                mean += x[r * hidden + i];
            }
            mean /= hidden;
            double var = 0;
            for (int i = 0; i < hidden; i++) {
                double d = x[r * hidden + i] - mean;
                var += d * d;
            }
            var /= hidden;
            double inv = 1.0 / Math.sqrt(var + 1e-12);
            for (int i = 0; i < hidden; i++) {
                x[r * hidden + i] = (float) ((x[r * hidden + i] - mean) * inv * g[i] + b[i]);
            }
        }
    }

    private static float gelu(float v) {
        return (float) (0.5 * v * (1 + erf(v / Math.sqrt(2))));
    }

    /** erf with |error| < 1.2e-7 (Numerical Recipes' erfc Chebyshev fit), enough for float32. */
    static double erf(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - r : r - 1;
    }

    /** Last hidden states [t, hidden]. */
    float[] encode(int[] ids, int[] types) {
        int t = ids.length;
        float[] x = new float[t * hidden];
        float[] we = p("bert.embeddings.word_embeddings.weight");
        float[] pe = p("bert.embeddings.position_embeddings.weight");
        float[] te = p("bert.embeddings.token_type_embeddings.weight");
        for (int r = 0; r < t; r++) {
            for (int i = 0; i < hidden; i++) {
                x[r * hidden + i] = we[ids[r] * hidden + i] + pe[r * hidden + i] + te[types[r] * hidden + i];
            }
        }
        layerNorm(x, t, "bert.embeddings.LayerNorm");
        int hd = hidden / heads;
        float scale = (float) (1 / Math.sqrt(hd));
        for (int l = 0; l < layers; l++) {
            String pre = "bert.encoder.layer." + l + ".";
            float[] q = linear(x, t, hidden, hidden, pre + "attention.self.query");
            float[] k = linear(x, t, hidden, hidden, pre + "attention.self.key");
            float[] v = linear(x, t, hidden, hidden, pre + "attention.self.value");
            float[] ctx = new float[t * hidden];
            float[] s = new float[t];
            for (int h = 0; h < heads; h++) {
                for (int a = 0; a < t; a++) {
                    float max = Float.NEGATIVE_INFINITY;
                    for (int b = 0; b < t; b++) {
                        float d = 0;
                        for (int i = 0; i < hd; i++) {
                            d += q[a * hidden + h * hd + i] * k[b * hidden + h * hd + i];
                        }
                        s[b] = d * scale;
                        max = Math.max(max, s[b]);
                    }
                    float sum = 0;
                    for (int b = 0; b < t; b++) {
                        s[b] = (float) Math.exp(s[b] - max);
                        sum += s[b];
                    }
                    for (int b = 0; b < t; b++) {
                        float pr = s[b] / sum;
                        for (int i = 0; i < hd; i++) {
                            ctx[a * hidden + h * hd + i] += pr * v[b * hidden + h * hd + i];
                        }
                    }
                }
            }
            float[] ao = linear(ctx, t, hidden, hidden, pre + "attention.output.dense");
            for (int i = 0; i < ao.length; i++) {
                ao[i] += x[i];
            }
            layerNorm(ao, t, pre + "attention.output.LayerNorm");
            float[] mid = linear(ao, t, hidden, inter, pre + "intermediate.dense");
            for (int i = 0; i < mid.length; i++) {
                mid[i] = gelu(mid[i]);
            }
            float[] out = linear(mid, t, inter, hidden, pre + "output.dense");
            for (int i = 0; i < out.length; i++) {
                out[i] += ao[i];
            }
            layerNorm(out, t, pre + "output.LayerNorm");
            x = out;
        }
        return x;
    }

    /** tanh(dense(h[CLS])). */
    float[] pool(float[] last) {
        float[] cls = java.util.Arrays.copyOf(last, hidden);
        float[] y = linear(cls, 1, hidden, hidden, "bert.pooler.dense");
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) Math.tanh(y[i]);
        }
        return y;
    }

    /** Masked-LM logits at one position (decoder tied to the word embeddings). */
    float[] mlmLogits(float[] last, int position) {
        float[] h = java.util.Arrays.copyOfRange(last, position * hidden, (position + 1) * hidden);
        float[] y = linear(h, 1, hidden, hidden, "cls.predictions.transform.dense");
        for (int i = 0; i < y.length; i++) {
            y[i] = gelu(y[i]);
        }
        layerNorm(y, 1, "cls.predictions.transform.LayerNorm");
        float[] we = p("bert.embeddings.word_embeddings.weight");
        float[] bias = p("cls.predictions.bias");
        float[] logits = new float[vocab];
        for (int v = 0; v < vocab; v++) {
            float s = 0;
            for (int i = 0; i < hidden; i++) {
                s += y[i] * we[v * hidden + i];
            }
            logits[v] = s + bias[v];
        }
        return logits;
    }
}
