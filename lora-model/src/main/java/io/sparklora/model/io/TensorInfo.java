package io.sparklora.model.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor's entry in a safetensors header. Offsets are relative to the start of the data section
 * (the byte after the JSON header), as in the file.
 */
public final class TensorInfo {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final long begin;
    private final long end;

    public TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
        this.name = Objects.requireNonNull(name, "name");
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = Objects.requireNonNull(shape, "shape").clone();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in " + Arrays.toString(shape));
            }
        }
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("tensor '" + name + "': bad offsets [" + begin + ", " + end + "]");
        }
        this.begin = begin;
        this.end = end;
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape ({@code []} for a scalar). */
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Begin offset inside the data section. */
    public long begin() {
        return begin;
    }

    /** End offset (exclusive) inside the data section. */
    public long end() {
        return end;
    }

    public long byteLength() {
        return end - begin;
    }

    /** Number of elements (1 for a scalar); throws ArithmeticException on overflow. */
    public long numel() {
        return numel(shape);
    }

    /** Product of the dimensions; 0 if any is 0 (checked before multiplying, so huge dims next to a 0 don't overflow). */
    public static long numel(long[] shape) {
        for (long d : shape) {
            if (d == 0) {
                return 0;
            }
        }
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TensorInfo)) {
            return false;
        }
        TensorInfo t = (TensorInfo) o;
        return name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
    }
}
