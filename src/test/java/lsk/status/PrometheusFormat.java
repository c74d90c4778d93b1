package lsk.status;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4), written from its
 * specification (https://prometheus.io/docs/instrumenting/exposition_formats, "Text format
 * details" and "Histograms and summaries"), not from lsk's writer: lines end with \n (the last
 * one too); {@code # HELP name doc} (doc with \\ and \n escaped) and {@code # TYPE name type}
 * (counter, gauge, histogram, summary, untyped) at most once per name, TYPE before the name's
 * first sample; metric names {@code [a-zA-Z_:][a-zA-Z0-9_:]*}; label names
 * {@code [a-zA-Z_][a-zA-Z0-9_]*} (no leading {@code __}); label values with only \\, \" and \n
 * escapes; values Go floats, NaN, +Inf, -Inf; a family's lines in one group; no sample twice.
 * A histogram {@code x} has {@code x_bucket} samples with an {@code le} label, cumulative (not
 * decreasing as le grows), including {@code le="+Inf"} equal to {@code x_count}, and
 * {@code x_sum}. lsk's own rules on top: every family has HELP and TYPE; counters end
 * {@code _total}.
 */
public final class PrometheusFormat {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NaN|[+-]Inf");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** What a valid text holds: samples by "name{labels as written}", types and help by family. */
    public record Families(Map<String, Double> samples, Map<String, String> types, Map<String, String> help) {
        public double value(String series) {
            Double v = samples.get(series);
            if (v == null) {
                throw new AssertionError("no sample " + series + " in " + samples.keySet());
            }
            return v;
        }

        public String type(String family) {
            return types.get(family);
        }
    }

    private record Sample(String name, Map<String, String> labels, double value) {
    }

    private PrometheusFormat() {
    }

    /** @throws IllegalArgumentException naming the first rule broken */
    public static Families parse(String text) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("the last line does not end with a line feed");
        }
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> help = new LinkedHashMap<>();
        Map<String, Double> samples = new LinkedHashMap<>();
        Set<String> closed = new HashSet<>();
        String current = null;
        Map<String, List<Sample>> byFamily = new HashMap<>();
        int n = 0;
        for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
            n++;
            String where = "line " + n + " '" + line + "': ";
            if (line.isBlank()) {
                continue;
            }
            String family;
            if (line.startsWith("#")) {
                String[] t = line.substring(1).strip().split("[ \t]+", 3);
                if (!t[0].equals("HELP") && !t[0].equals("TYPE")) {
                    continue; // a plain comment
                }
                if (t.length < 2 || !NAME.matcher(t[1]).matches()) {
                    throw new IllegalArgumentException(where + "no valid metric name");
                }
                family = t[1];
                if (t[0].equals("HELP")) {
                    String doc = t.length > 2 ? t[2] : "";
                    checkEscapes(doc, false, where);
                    if (help.put(family, doc) != null) {
                        throw new IllegalArgumentException(where + "second HELP for " + family);
                    }
                } else {
                    if (t.length != 3 || !TYPES.contains(t[2].strip())) {
                        throw new IllegalArgumentException(where + "TYPE needs a name and one of " + TYPES);
                    }
                    if (types.put(family, t[2].strip()) != null) {
                        throw new IllegalArgumentException(where + "second TYPE for " + family);
                    }
                    if (byFamily.containsKey(family)) {
                        throw new IllegalArgumentException(where + "TYPE after samples of " + family);
                    }
                }
            } else {
                Sample s = sample(line, where);
                family = familyOf(s.name(), types);
                if (!types.containsKey(family)) {
                    throw new IllegalArgumentException(where + "sample before the TYPE of " + family);
                }
                String key = s.name() + (s.labels().isEmpty() ? "" : s.labels().entrySet().stream()
                        .map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
                        .collect(java.util.stream.Collectors.joining(",", "{", "}")));
                if (samples.put(key, s.value()) != null) {
                    throw new IllegalArgumentException(where + "sample repeated");
                }
                byFamily.computeIfAbsent(family, f -> new ArrayList<>()).add(s);
            }
            if (!family.equals(current)) {
                if (closed.contains(family)) {
                    throw new IllegalArgumentException(where + "lines of " + family + " are not in one group");
                }
                if (current != null) {
                    closed.add(current);
                }
                current = family;
            }
        }
        for (Map.Entry<String, String> t : types.entrySet()) {
            String f = t.getKey();
            if (!help.containsKey(f)) {
                throw new IllegalArgumentException(f + ": no HELP");
            }
            if (t.getValue().equals("counter") && !f.endsWith("_total")) {
                throw new IllegalArgumentException(f + ": a counter's name must end _total");
            }
            if (t.getValue().equals("histogram")) {
                histogram(f, byFamily.getOrDefault(f, List.of()));
            }
        }
        return new Families(samples, types, help);
    }

    private static String familyOf(String name, Map<String, String> types) {
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if ("histogram".equals(types.get(base)) || "summary".equals(types.get(base))) {
                    return base;
                }
            }
        }
        return name;
    }

    private static void histogram(String f, List<Sample> samples) {
        double lastLe = Double.NEGATIVE_INFINITY;
        double lastCount = 0;
        Double inf = null;
        Double count = null;
        boolean sum = false;
        for (Sample s : samples) {
            if (s.name().equals(f + "_bucket")) {
                String le = s.labels().get("le");
                if (le == null || !FLOAT.matcher(le).matches()) {
                    throw new IllegalArgumentException(f + ": a bucket without a valid le");
                }
                double bound = Double.parseDouble(le.replace("Inf", "Infinity"));
                if (bound <= lastLe || s.value() < lastCount) {
                    throw new IllegalArgumentException(f + ": buckets not increasing in le and cumulative at le=" + le);
                }
                lastLe = bound;
                lastCount = s.value();
                if (le.equals("+Inf")) {
                    inf = s.value();
                }
            } else if (s.name().equals(f + "_count")) {
                count = s.value();
            } else if (s.name().equals(f + "_sum")) {
                sum = true;
            } else {
                throw new IllegalArgumentException(f + ": sample " + s.name() + " in a histogram");
            }
        }
        if (inf == null || count == null || !sum || inf.doubleValue() != count.doubleValue()) {
            throw new IllegalArgumentException(f + ": needs le=\"+Inf\" equal to _count, and _sum");
        }
    }

    private static Sample sample(String line, String where) {
        Matcher m = Pattern.compile("^[ \t]*([^{ \t]+)").matcher(line);
        if (!m.find() || !NAME.matcher(m.group(1)).matches()) {
            throw new IllegalArgumentException(where + "no valid metric name");
        }
        String name = m.group(1);
        int i = m.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String ln = eq < 0 ? "" : line.substring(i, eq).strip();
                if (!LABEL_NAME.matcher(ln).matches() || ln.startsWith("__")) {
                    throw new IllegalArgumentException(where + "bad label name");
                }
                if (line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException(where + "label value not quoted");
                }
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                for (; j < line.length() && line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char e = line.charAt(++j);
                        if (e != '\\' && e != '"' && e != 'n') {
                            throw new IllegalArgumentException(where + "bad escape \\" + e);
                        }
                        v.append(e == 'n' ? '\n' : e);
                    } else {
                        v.append(c);
                    }
                }
                if (j >= line.length()) {
                    throw new IllegalArgumentException(where + "unterminated label value");
                }
                if (labels.put(ln, v.toString()) != null) {
                    throw new IllegalArgumentException(where + "label " + ln + " twice");
                }
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        String[] rest = line.substring(i).strip().split("[ \t]+");
        if (rest.length < 1 || rest.length > 2 || !FLOAT.matcher(rest[0]).matches()
                || (rest.length == 2 && !rest[1].matches("-?[0-9]+"))) {
            throw new IllegalArgumentException(where + "value (and timestamp) malformed");
        }
        return new Sample(name, labels, Double.parseDouble(rest[0].replace("Inf", "Infinity")));
    }

    private static void checkEscapes(String doc, boolean quotes, String where) {
        for (int i = 0; i < doc.length(); i++) {
            if (doc.charAt(i) == '\\') {
                char e = i + 1 < doc.length() ? doc.charAt(++i) : ' ';
                if (e != '\\' && e != 'n' && !(quotes && e == '"')) {
                    throw new IllegalArgumentException(where + "bad escape in HELP");
                }
            }
        }
    }
}
