package io.pgwarden.plugin.scram;

/** Recording metrics with this plugin's counters by name. */
final class RecordingMetrics extends io.pgwarden.testkit.spi.RecordingMetrics {

    long failures(String method, String reason) {
        return count(AuthMetrics.FAILURES + "{method=" + method + ",reason=" + reason + "}");
    }

    long successes(String method) {
        return count(AuthMetrics.SUCCESSES + "{method=" + method + "}");
    }
}
