package io.sparklora.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Objects;

/**
 * A named tensor of a {@link Module} with a trainable flag, like a PyTorch {@code nn.Parameter}.
 *
 * <p>The array is owned by the module's manager. Loading a value replaces the array after checking
 * the shape, so a mis-shaped checkpoint tensor fails here with both shapes in the message.
 */
public final class Param {
    private final String name;
    private NDArray array;
    private boolean requiresGrad;
    /** True while the array belongs to another module's parameter (see {@link #borrow}). */
    private boolean borrowed;

    Param(String name, NDArray array, boolean requiresGrad) {
        this.name = Objects.requireNonNull(name, "name");
        this.array = Objects.requireNonNull(array, "array");
        setRequiresGrad(requiresGrad);
    }

    /** The local name inside its module (for example {@code lora_A}). */
    public String name() {
        return name;
    }

    public NDArray array() {
        return array;
    }

    public Shape shape() {
        return array.getShape();
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks the parameter trainable or frozen; frozen ones get no gradient buffer in backward. */
    public void setRequiresGrad(boolean requiresGrad) {
        if (requiresGrad && borrowed) {
            throw new IllegalStateException("parameter " + name + " shares another module's array; it stays frozen");
        }
        this.requiresGrad = requiresGrad;
        array.setRequiresGradient(requiresGrad);
    }

    /** Whether the array is another parameter's (so closing this module must not close it). */
    public boolean isBorrowed() {
        return borrowed;
    }

    /**
     * Makes this frozen parameter use {@code owner}'s array instead of its own, so models that differ
     * only in adapters and heads hold the pretrained weights once. Both must be frozen and have equal
     * shapes; the owner must outlive this parameter, and neither may fold LoRA into it (merge).
     */
    public void borrow(Param owner) {
        Objects.requireNonNull(owner, "owner");
        if (requiresGrad || owner.requiresGrad) {
            throw new IllegalArgumentException("only frozen parameters can share an array: " + name);
        }
        if (!owner.shape().equals(shape()) || owner.array.getDataType() != array.getDataType()) {
            throw new IllegalArgumentException("cannot share " + name + ": " + owner.shape() + " "
                    + owner.array.getDataType() + " vs " + shape() + " " + array.getDataType());
        }
        if (owner.array == array) {
            return;
        }
        if (!borrowed) {
            array.close();
        }
        array = owner.array;
        borrowed = true;
    }

    /**
     * Replaces the value with a copy of {@code value}, which must have this parameter's shape.
     *
     * @param qualifiedName the name used in the error message (for example the state-dict key)
     */
    public void load(String qualifiedName, NDArray value) {
        Objects.requireNonNull(value, "value");
        checkOwn();
        if (!value.getShape().equals(shape())) {
            throw new IllegalArgumentException(
                    "tensor '" + qualifiedName + "' has shape " + value.getShape()
                            + ", expected " + shape());
        }
        // Copied into this parameter's own storage, never kept: value may be a view of a Java direct
        // buffer that is freed with it (DJL wraps CPU arrays created from Java data). In place, so
        // loading costs no second copy of the tensor (an uninitialised array's pages are first
        // touched here); without recording, as a leaf that requires grad may not change otherwise.
        Autograd.noGrad(() -> {
            if (value.getDataType() == DataType.FLOAT32) {
                array.set(new NDIndex(":"), value);
            } else {
                try (NDArray converted = value.toType(DataType.FLOAT32, true)) {
                    array.set(new NDIndex(":"), converted);
                }
            }
            return null;
        });
    }

    /** Loads row-major float data of this parameter's shape. */
    public void load(String qualifiedName, float[] data) {
        Objects.requireNonNull(data, "data");
        checkOwn();
        if (data.length != shape().size()) {
            throw new IllegalArgumentException(
                    "tensor '" + qualifiedName + "' has " + data.length + " values, expected "
                            + shape().size() + " for shape " + shape());
        }
        NDArray fresh = Ops.owned(array.getManager(), data, shape());
        array.close();
        array = fresh;
        array.setName(name);
        setRequiresGrad(requiresGrad);
    }

    private void checkOwn() {
        if (borrowed) {
            throw new IllegalStateException("parameter " + name + " shares another module's array; it cannot be loaded");
        }
    }

    @Override
    public String toString() {
        return name + shape() + (requiresGrad ? " trainable" : " frozen");
    }
}
