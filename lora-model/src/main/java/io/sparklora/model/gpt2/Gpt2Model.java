package io.sparklora.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sparklora.model.nn.Embedding;
import io.sparklora.model.nn.LayerNorm;
import io.sparklora.model.nn.Module;

import java.util.function.BiConsumer;

/** The GPT-2 trunk ({@code transformer}): {@code wte}, {@code wpe}, blocks {@code h.N}, {@code ln_f}. */
public final class Gpt2Model extends Module {
    private final Gpt2Config config;

    Gpt2Model(NDManager manager, Gpt2Config config) {
        super(manager);
        this.config = config;
        registerChild("wte", new Embedding(manager, config.vocabSize(), config.nEmbd()));
        registerChild("wpe", new Embedding(manager, config.nPositions(), config.nEmbd()));
        Blocks h = registerChild("h", new Blocks(manager));
        for (int i = 0; i < config.nLayer(); i++) {
            h.add(i, new Gpt2Block(manager, config));
        }
        registerChild("ln_f", new LayerNorm(manager, config.nEmbd(), config.layerNormEpsilon()));
    }

    /** {@code torch.nn.ModuleList}: children named 0, 1, ... */
    static final class Blocks extends Module {
        Blocks(NDManager manager) {
            super(manager);
        }

        void add(int i, Gpt2Block block) {
            registerChild(Integer.toString(i), block);
        }
    }

    public Embedding wte() {
        return (Embedding) children().get("wte");
    }

    public Embedding wpe() {
        return (Embedding) children().get("wpe");
    }

    public Gpt2Block block(int i) {
        return (Gpt2Block) children().get("h").children().get(Integer.toString(i));
    }

    /** Final hidden states {@code [B, T, C]} after {@code ln_f}, and the presents if asked for. */
    Hidden forward(Gpt2Input in) {
        NDArray ids = in.inputIds;
        Shape shape = ids.getShape();
        if (shape.dimension() != 2 || !ids.getDataType().isInteger()) {
            throw new IllegalArgumentException("inputIds must be a [batch, seq] integer array, got "
                    + ids.getDataType() + shape);
        }
        long b = shape.get(0);
        long t = shape.get(1);
        if (t == 0 || b == 0) {
            throw new IllegalArgumentException("inputIds must not be empty, got shape " + shape);
        }
        long pastLen = 0;
        if (in.past != null) {
            if (in.past.layers() != config.nLayer() || in.past.batchSize() != b) {
                throw new IllegalArgumentException("past cache has " + in.past.layers() + " layers and "
                        + in.past.batchSize() + " rows, expected " + config.nLayer() + " and " + b);
            }
            pastLen = in.past.length();
        }
        long s = pastLen + t;
        if (s > config.maxSequenceLength()) {
            throw new IllegalArgumentException("past (" + pastLen + ") plus input (" + t
                    + ") positions exceed the model's maximum of " + config.maxSequenceLength());
        }
        NDManager m = ids.getManager();
        NDArray positions = in.positionIds;
        if (positions == null) {
            positions = m.arange(pastLen, s, 1, DataType.INT64).reshape(1, t);
        } else if (positions.getShape().dimension() != 2 || positions.getShape().get(1) != t
                || (positions.getShape().get(0) != b && positions.getShape().get(0) != 1)) {
            throw new IllegalArgumentException("positionIds must be [" + b + ", " + t + "] or [1, " + t
                    + "], got " + positions.getShape());
        } else {
            long lo = positions.min().getLong();
            long hi = positions.max().getLong();
            if (lo < 0 || hi >= config.nPositions()) {
                throw new IllegalArgumentException("positionIds must lie in [0, " + config.nPositions()
                        + "), got values from " + lo + " to " + hi);
            }
        }
        NDArray padMask = null;
        if (in.attentionMask != null) {
            Shape ms = in.attentionMask.getShape();
            if (ms.dimension() != 2 || ms.get(0) != b || ms.get(1) != s) {
                throw new IllegalArgumentException("attentionMask must be [" + b + ", " + s
                        + "] (past plus current positions), got " + ms);
            }
            padMask = in.attentionMask.toType(DataType.FLOAT32, false).reshape(b, 1, 1, s);
        }
        // Tapped arrays outlive the blocks' activation scopes: they move to the step's manager.
        BiConsumer<String, NDArray> tap = in.tap == null ? null : (name, x) -> {
            x.attach(m);
            in.tap.accept(name, x);
        };
        NDArray h = wte().forward(ids).add(wpe().forward(positions));
        tap(in, "embeddings", h);
        NDArray[] keys = in.useCache ? new NDArray[config.nLayer()] : null;
        NDArray[] values = in.useCache ? new NDArray[config.nLayer()] : null;
        for (int i = 0; i < config.nLayer(); i++) {
            NDArray pk = in.past == null ? null : in.past.key(i);
            NDArray pv = in.past == null ? null : in.past.value(i);
            Gpt2Attention.Result r = block(i).forward(h, padMask, pk, pv, in.useCache, "h." + i, tap);
            h = r.output();
            tap(in, "h." + i + ".output", h);
            if (in.useCache) {
                keys[i] = r.key();
                values[i] = r.value();
            }
        }
        h = ((LayerNorm) children().get("ln_f")).forward(h);
        tap(in, "final_hidden", h);
        return new Hidden(h, in.useCache ? new KvCache(keys, values) : null);
    }

    record Hidden(NDArray states, KvCache presents) {}

    private static void tap(Gpt2Input in, String name, NDArray x) {
        if (in.tap != null) {
            in.tap.accept(name, x);
        }
    }
}
