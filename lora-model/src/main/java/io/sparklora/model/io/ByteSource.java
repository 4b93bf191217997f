package io.sparklora.model.io;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.hadoop.fs.FSDataInputStream;

/** Random access to the bytes of a file, wherever it is; tensors are read one at a time through it. */
abstract class ByteSource implements Closeable {
    private final String description;

    ByteSource(String description) {
        this.description = description;
    }

    String description() {
        return description;
    }

    abstract long size();

    /**
     * A little-endian buffer with {@code len} bytes starting at {@code position} (may be a memory map or a
     * view of shared memory: treat as read-only). EOFException if the source is shorter.
     */
    abstract ByteBuffer read(long position, int len) throws IOException;

    static ByteSource of(Path file) throws IOException {
        return new ChannelSource(file);
    }

    static ByteSource of(ByteBuffer buffer, String description) {
        return new BufferSource(buffer, description);
    }

    static ByteSource of(FSDataInputStream in, long size, String description) {
        return new HadoopSource(in, size, description);
    }

    private static final class ChannelSource extends ByteSource {
        private static final int MAP_THRESHOLD = 1 << 20;
        private final FileChannel channel;
        private final long size;

        ChannelSource(Path file) throws IOException {
            super(file.toString());
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
            this.size = channel.size();
        }

        @Override
        long size() {
            return size;
        }

        @Override
        ByteBuffer read(long position, int len) throws IOException {
            if (position < 0 || len < 0 || position + len > channel.size()) {
                throw new EOFException(description() + ": expected " + len + " bytes at offset " + position
                        + ", file has " + channel.size());
            }
            if (len >= MAP_THRESHOLD) {
                // a map costs no heap; the OS pages it in as the tensor is converted
                return channel.map(FileChannel.MapMode.READ_ONLY, position, len).order(ByteOrder.LITTLE_ENDIAN);
            }
            ByteBuffer buf = ByteBuffer.allocate(len);
            long pos = position;
            while (buf.hasRemaining()) {
                int n = channel.read(buf, pos);
                if (n < 0) {
                    throw new EOFException(description() + ": file ended at " + pos + ", expected " + len
                            + " bytes from offset " + position);
                }
                pos += n;
            }
            return buf.flip().order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private static final class BufferSource extends ByteSource {
        private final ByteBuffer buffer;

        BufferSource(ByteBuffer buffer, String description) {
            super(description);
            this.buffer = buffer.duplicate();
            this.buffer.position(0).limit(buffer.limit());
        }

        @Override
        long size() {
            return buffer.limit();
        }

        @Override
        ByteBuffer read(long position, int len) throws IOException {
            if (position < 0 || len < 0 || position + len > buffer.limit()) {
                throw new EOFException(description() + ": expected " + len + " bytes at offset " + position
                        + ", buffer has " + buffer.limit());
            }
            ByteBuffer d = buffer.duplicate();
            d.position((int) position).limit((int) position + len);
            return d.slice().order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public void close() {}
    }

    private static final class HadoopSource extends ByteSource {
        private final FSDataInputStream in;
        private final long size;

        HadoopSource(FSDataInputStream in, long size, String description) {
            super(description);
            this.in = in;
            this.size = size;
        }

        @Override
        long size() {
            return size;
        }

        @Override
        ByteBuffer read(long position, int len) throws IOException {
            if (position < 0 || len < 0 || position + len > size) {
                throw new EOFException(description() + ": expected " + len + " bytes at offset " + position
                        + ", file has " + size);
            }
            byte[] b = new byte[len];
            synchronized (in) {
                in.readFully(position, b, 0, len);
            }
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
