package io.pgwarden.plugin.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The {@code stdout} sink: the chained records as JSON Lines on the process's standard output (for a container
 * runtime's log collector), header first, flushed whenever the writer's queue runs empty. Its chain is its own and
 * starts anew with each start of pgwarden.
 */
final class StdoutSink implements AuditSink {

    private final OutputStream out;
    private final String stream;
    private final RecordChain chain;

    /**
     * A sink.
     *
     * @param out standard output, or a stream in tests
     * @param stream the stream name for the header
     * @param chain the sink's chain
     */
    StdoutSink(OutputStream out, String stream, RecordChain chain) {
        this.out = Objects.requireNonNull(out, "out");
        this.stream = Objects.requireNonNull(stream, "stream");
        this.chain = Objects.requireNonNull(chain, "chain");
    }

    @Override
    public String name() {
        return "stdout";
    }

    @Override
    public void open(long nowMillis) throws IOException {
        write(chain.header(nowMillis, stream));
    }

    @Override
    public void append(byte[] body, int length, long nowMillis) throws IOException {
        write(chain.record(new String(body, 0, length, StandardCharsets.UTF_8)));
        if (chain.checkpointDue(nowMillis)) {
            write(chain.checkpoint(nowMillis));
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void tick(long nowMillis) throws IOException {
        if (chain.checkpointDue(nowMillis)) {
            write(chain.checkpoint(nowMillis));
            out.flush();
        }
    }

    @Override
    public void close(long nowMillis) throws IOException {
        if (chain.uncheckpointed()) {
            write(chain.checkpoint(nowMillis));
        }
        out.flush();
    }

    private void write(String record) throws IOException {
        out.write((record + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
