package io.sparklora.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A tree of named parameters, buffers and child modules with PyTorch's naming and ordering.
 *
 * <p>We use this instead of DJL's {@code AbstractBlock} because the oracles (loralib, Hugging Face,
 * PEFT) are defined on {@code torch.nn.Module}: dotted names in registration order, a per-module
 * train/eval mode that LoRA layers hook to merge and unmerge, and a trainable flag per parameter.
 * Forward passes are plain methods on the subclasses. Every array a module owns belongs to the
 * {@link NDManager} given at construction; closing the module closes that manager's arrays.
 */
public abstract class Module implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, Param> params = new LinkedHashMap<>();
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, String> stateDictAliases = new LinkedHashMap<>();
    private boolean training = true;

    protected Module(NDManager manager) {
        this.manager = Objects.requireNonNull(manager, "manager");
    }

    public NDManager manager() {
        return manager;
    }

    protected Param registerParam(String name, NDArray value, boolean requiresGrad) {
        checkNewName(name);
        value.attach(manager);
        Param p = new Param(name, value, requiresGrad);
        params.put(name, p);
        return p;
    }

    /** A tensor in the state dict that is not a parameter (for example GPT-2's causal mask). */
    protected void registerBuffer(String name, NDArray value) {
        checkNewName(name);
        value.attach(manager);
        buffers.put(name, value);
    }

    protected <M extends Module> M registerChild(String name, M child) {
        checkNewName(name);
        children.put(name, Objects.requireNonNull(child, "child"));
        return child;
    }

    /** An extra state-dict key that refers to one of this module's own parameters. */
    protected void registerStateDictAlias(String alias, String paramName) {
        if (!params.containsKey(paramName)) {
            throw new IllegalArgumentException("no parameter " + paramName + " to alias");
        }
        stateDictAliases.put(alias, paramName);
    }

    private void checkNewName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("invalid member name '" + name + "'");
        }
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("duplicate member name '" + name + "'");
        }
    }

    public Param param(String name) {
        return params.get(name);
    }

    /** The descendant module at a dotted path ({@code ""} is this module), or null. */
    public Module module(String path) {
        Module m = this;
        if (!path.isEmpty()) {
            for (String part : path.split("\\.")) {
                m = m.children.get(part);
                if (m == null) {
                    return null;
                }
            }
        }
        return m;
    }

    /**
     * Replaces the descendant at a dotted path (how LoRA is injected into a built model).
     *
     * @return the module that was replaced
     */
    public Module replaceModule(String path, Module replacement) {
        Objects.requireNonNull(replacement, "replacement");
        int dot = path.lastIndexOf('.');
        Module parent = module(dot < 0 ? "" : path.substring(0, dot));
        String leaf = path.substring(dot + 1);
        if (parent == null || !parent.children.containsKey(leaf)) {
            throw new IllegalArgumentException("no module '" + path + "' to replace");
        }
        return parent.children.put(leaf, replacement);
    }

    /**
     * Loads parameters and buffers by state-dict name, one tensor at a time.
     *
     * @param strict when true, a tensor the model lacks, or a model tensor the source lacks, fails
     * @return the source names that were not used (empty when strict)
     * @throws IllegalArgumentException naming the tensor, for unknown, missing or mis-shaped ones
     */
    public List<String> loadStateDict(TensorSource source, boolean strict) {
        Objects.requireNonNull(source, "source");
        Map<String, Param> named = namedParameters();
        Map<String, NDArray> state = stateDict();
        List<String> unused = new ArrayList<>();
        TreeSet<String> missing = new TreeSet<>(named.keySet());
        for (String name : source.names()) {
            Param p = named.get(name);
            NDArray buffer = p == null ? state.get(name) : null;
            if (p == null && buffer == null) {
                unused.add(name);
                continue;
            }
            try (NDManager tmp = manager.newSubManager()) {
                NDArray value = source.load(name, tmp);
                if (p != null) {
                    p.load(name, value);
                    missing.remove(name);
                } else if (!value.getShape().equals(buffer.getShape())) {
                    throw new IllegalArgumentException("tensor '" + name + "' in " + source.description()
                            + " has shape " + value.getShape() + ", expected " + buffer.getShape());
                } else {
                    // set() keeps the buffer it is given; hand it its own copy, not a view of value.
                    java.nio.ByteBuffer src = value.toType(buffer.getDataType(), false).toByteBuffer();
                    java.nio.ByteBuffer own = java.nio.ByteBuffer.allocateDirect(src.remaining())
                            .order(java.nio.ByteOrder.nativeOrder());
                    own.put(src).flip();
                    buffer.set(own);
                }
            }
        }
        if (strict && !unused.isEmpty()) {
            throw new IllegalArgumentException(source.description() + " has tensors the model does not: " + unused);
        }
        if (strict && !missing.isEmpty()) {
            throw new IllegalArgumentException(source.description() + " lacks tensors the model needs: " + missing);
        }
        return unused;
    }

    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Parameters by dotted name: own parameters first, then each child's, in registration order. */
    public Map<String, Param> namedParameters() {
        Map<String, Param> out = new LinkedHashMap<>();
        collectParams("", out);
        return out;
    }

    private void collectParams(String prefix, Map<String, Param> out) {
        params.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, c) -> c.collectParams(prefix + n + ".", out));
    }

    /** Every module by dotted name; the root is {@code ""}. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String name, Map<String, Module> out) {
        out.put(name, this);
        children.forEach((n, c) -> c.collectModules(name.isEmpty() ? n : name + "." + n, out));
    }

    /** PyTorch {@code state_dict()} order: parameters, buffers, aliases, then children. */
    public Map<String, NDArray> stateDict() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, NDArray> out) {
        params.forEach((n, p) -> out.put(prefix + n, p.array()));
        buffers.forEach((n, b) -> out.put(prefix + n, b));
        stateDictAliases.forEach((alias, n) -> out.put(prefix + alias, params.get(n).array()));
        children.forEach((n, c) -> c.collectState(prefix + n + ".", out));
    }

    /**
     * Makes every frozen parameter of this module use the array of the same-named, same-shaped frozen
     * parameter of {@code owner} (PyTorch's tied weights across models): adapters of one base model
     * then hold the pretrained weights once. Returns how many parameters now share.
     */
    public int shareFrozenParameters(Module owner) {
        Objects.requireNonNull(owner, "owner");
        Map<String, Param> theirs = owner.namedParameters();
        int shared = 0;
        for (Map.Entry<String, Param> e : namedParameters().entrySet()) {
            Param mine = e.getValue();
            Param other = theirs.get(e.getKey());
            if (other != null && !mine.requiresGrad() && !other.requiresGrad() && other.shape().equals(mine.shape())
                    && other.array().getDataType() == mine.array().getDataType()) {
                mine.borrow(other);
                shared++;
            }
        }
        return shared;
    }

    public boolean isTraining() {
        return training;
    }

    /** Training mode for this module and its children (dropout on; LoRA layers unmerge). */
    public void train() {
        setMode(true);
    }

    /** Evaluation mode for this module and its children (dropout off; LoRA layers merge). */
    public void eval() {
        setMode(false);
    }

    private void setMode(boolean train) {
        training = train;
        onModeChange(train);
        children.values().forEach(c -> c.setMode(train));
    }

    /** Called after this module's mode flag changed, before its children change. */
    protected void onModeChange(boolean train) {}

    @Override
    public void close() {
        children.values().forEach(Module::close);
        params.values().stream().filter(p -> !p.isBorrowed()).forEach(p -> p.array().close());
        buffers.values().forEach(NDArray::close);
    }
}
