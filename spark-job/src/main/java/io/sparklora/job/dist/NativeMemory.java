package io.sparklora.job.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import io.sparklora.model.nn.TensorSource;

import java.util.Set;

/**
 * Gives memory PyTorch freed back to the operating system while an executor builds its model. The
 * model is first allocated with a random initialisation that loading the checkpoint then replaces
 * tensor by tensor; glibc keeps the freed arrays for reuse, so without a trim the executor's resident
 * memory peaks near twice the weights (BENCHMARKS.md §5). glibc's {@code malloc_trim} (through JNA,
 * which DJL already uses); a no-op elsewhere.
 */
final class NativeMemory {
    private static final Function MALLOC_TRIM = lookup();

    private NativeMemory() {}

    private static Function lookup() {
        try {
            return Platform.isLinux() ? NativeLibrary.getInstance("c").getFunction("malloc_trim") : null;
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** Returns the allocator's free memory to the OS (about a millisecond). */
    static void trim() {
        if (MALLOC_TRIM != null) {
            MALLOC_TRIM.invokeInt(new Object[] {0L}); // size_t pad: a 64-bit zero
        }
    }

    /** {@code source}, trimming before each tensor: what the previous one replaced is gone by then. */
    static TensorSource trimming(TensorSource source) {
        return new TensorSource() {
            @Override
            public Set<String> names() {
                return source.names();
            }

            @Override
            public NDArray load(String name, NDManager manager) {
                trim();
                return source.load(name, manager);
            }

            @Override
            public String description() {
                return source.description();
            }
        };
    }
}
