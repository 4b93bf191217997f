package io.sparklora.job.dist;

import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The JVM's one thread for PyTorch work: executors' models, and in local mode the driver's loading,
 * initial state and single-process loop too.
 *
 * <p>PyTorch's CPU kernels run on OpenMP, and libgomp keeps a team of worker threads per calling
 * thread for the thread's lifetime. Spark runs every task on a new thread, and the driver works on
 * its own: each caller would leave a team behind. Once a process holds more OpenMP threads than CPUs,
 * libgomp also cuts its spin-wait to a few microseconds, so every team then sleeps and wakes at each
 * barrier (measured: ~1,000 context switches per second per thread, 6% of the CPU idle, GPT-2 steps
 * 10–20% slower in {@code local[2]}; BENCHMARKS.md §2). One calling thread, one team.
 */
public final class TorchThread {
    private static final ExecutorService TORCH = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sparklora-torch");
        t.setDaemon(true);
        return t;
    });
    private static volatile Thread thread;

    private TorchThread() {}

    /** Whether the caller is the PyTorch thread. */
    public static boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    /**
     * Runs {@code work} on the PyTorch thread and waits for it (inline when already there). The work
     * must not need the caller's thread-locals (a Spark {@code TaskContext}, a grad mode).
     */
    public static <T> T call(Supplier<T> work) {
        Objects.requireNonNull(work, "work");
        if (isCurrent()) {
            return work.get();
        }
        Future<T> f = TORCH.submit(() -> {
            thread = Thread.currentThread();
            return work.get();
        });
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        } catch (InterruptedException e) {
            // A killed Spark task: the native computation cannot be interrupted and finishes on its own.
            f.cancel(false);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while PyTorch computed", e);
        }
    }
}
