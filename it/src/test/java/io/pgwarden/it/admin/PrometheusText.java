package io.pgwarden.it.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus' text exposition format 0.0.4: every line is a HELP, a TYPE or a
 * sample; every sample belongs to a family whose TYPE came first; label values are properly quoted
 * and escaped; values are floats, {@code NaN} or {@code ±Inf}. Anything else fails the test with the
 * line that broke the format.
 */
final class PrometheusText {

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(.*)})? (\\S+)( -?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?|NaN|[-+]Inf");
    private static final Map<String, Set<String>> SUFFIXES = Map.of(
            "counter", Set.of("", "_total", "_created"),
            "gauge", Set.of(""),
            "untyped", Set.of(""),
            "histogram", Set.of("_bucket", "_count", "_sum", "_created"),
            "summary", Set.of("", "_count", "_sum", "_created"));

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusText() {
    }

    /**
     * Scrapes {@code /metrics} of an admin endpoint: the answer must be 200 with Prometheus' text
     * content type, and its body must {@link #parse parse}.
     *
     * @param admin the admin HTTP address
     * @return every sample, as {@link #parse} gives them
     * @throws IOException when the endpoint cannot be reached
     * @throws InterruptedException when interrupted
     */
    static Map<String, Double> scrape(InetSocketAddress admin) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        return parse(response.body());
    }

    /**
     * A sample's value in a scrape.
     *
     * @param samples a scrape
     * @param key the sample's key, as {@link #parse} gives it
     * @return the value, or 0 when the sample is absent (a counter that has not moved yet)
     */
    static double value(Map<String, Double> samples, String key) {
        return samples.getOrDefault(key, 0.0);
    }

    /**
     * Parses a scrape.
     *
     * @param text the body of {@code /metrics}
     * @return every sample, keyed by {@code name{label="value",...}} with the labels sorted by name
     * @throws AssertionError at the first line that breaks the format
     */
    static Map<String, Double> parse(String text) {
        if (!text.endsWith("\n")) {
            throw new AssertionError("the exposition must end with a line feed");
        }
        Map<String, String> types = new HashMap<>();
        Map<String, Double> samples = new LinkedHashMap<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String where = "line " + (i + 1) + ": '" + line + "'";
            Matcher type = TYPE.matcher(line);
            if (type.matches()) {
                if (types.put(type.group(1), type.group(2)) != null) {
                    throw new AssertionError(where + ": a second TYPE for the family");
                }
                continue;
            }
            if (HELP.matcher(line).matches()) {
                continue;
            }
            if (line.startsWith("#") || line.isEmpty()) {
                throw new AssertionError(where + ": neither HELP, TYPE nor a sample");
            }
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.matches()) {
                throw new AssertionError(where + ": not a sample");
            }
            String name = sample.group(1);
            checkFamily(name, types, where);
            Map<String, String> labels = labels(sample.group(3), where);
            if (name.endsWith("_bucket") && !labels.containsKey("le")) {
                throw new AssertionError(where + ": a histogram bucket without le");
            }
            if (!FLOAT.matcher(sample.group(4)).matches()) {
                throw new AssertionError(where + ": the value is not a float");
            }
            String key = key(name, labels);
            if (samples.put(key, Double.parseDouble(sample.group(4).replace("Inf", "Infinity"))) != null) {
                throw new AssertionError(where + ": the same series twice");
            }
        }
        return samples;
    }

    private static void checkFamily(String name, Map<String, String> types, String where) {
        for (Map.Entry<String, String> family : types.entrySet()) {
            for (String suffix : SUFFIXES.get(family.getValue())) {
                if (name.equals(family.getKey() + suffix)) {
                    return;
                }
            }
        }
        throw new AssertionError(where + ": no TYPE line before the sample's family");
    }

    private static Map<String, String> labels(String text, String where) {
        Map<String, String> labels = new java.util.TreeMap<>();
        if (text == null || text.isEmpty()) {
            return labels;
        }
        Matcher label = LABEL.matcher(text);
        int at = 0;
        while (at < text.length()) {
            if (!label.find(at) || label.start() != at) {
                throw new AssertionError(where + ": bad labels at '" + text.substring(at) + "'");
            }
            if (labels.put(label.group(1), label.group(2)) != null) {
                throw new AssertionError(where + ": label " + label.group(1) + " twice");
            }
            at = label.end();
        }
        return labels;
    }

    /**
     * The key of a series.
     *
     * @param name the sample name
     * @param labels the labels (any order)
     * @return {@code name{a="x",b="y"}}, or the bare name without labels
     */
    static String key(String name, Map<String, String> labels) {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder key = new StringBuilder(name).append('{');
        new java.util.TreeMap<>(labels).forEach((k, v) -> key.append(k).append("=\"").append(v).append("\","));
        key.setLength(key.length() - 1);
        return key.append('}').toString();
    }
}
