package lsk.fuzz;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.time.Clock;
import lsk.sk.GssException;
import lsk.kernel.ReplyBuffer;
import lsk.mech.SkMech;
import lsk.kernel.UpcallLine;
import lsk.keyfile.KeyFileCodec;
import lsk.testutil.Vectors;
import lsk.wire.Netstring;
import lsk.base.DecodeException;

/**
 * Seed inputs for each fuzz target, taken from the reference vectors of the real C tools
 * (so the fuzzers start from real key files, tokens, contexts and the C code's crash cases).
 * {@link FuzzRunner} writes them next to each target's corpus; {@code VectorSeedsTest} runs
 * every one through its target in the normal test run.
 */
final class Seeds {
    private Seeds() {
    }

    /** Seeds by target id ({@code Class#method}); each seed named for its origin. */
    static Map<String, Map<String, byte[]>> all() {
        Map<String, Map<String, byte[]>> m = new LinkedHashMap<>();
        Map<String, byte[]> binaryKeys = new LinkedHashMap<>();
        Map<String, byte[]> asciiKeys = new LinkedHashMap<>();
        Map<String, byte[]> asciiPayloads = new LinkedHashMap<>();
        for (Path p : keyFiles()) {
            byte[] b = read(p);
            String name = p.getFileName().toString();
            if (KeyFileCodec.isAscii(b)) {
                asciiKeys.put(name, b);
                asciiPayloads.put(name, java.util.Arrays.copyOfRange(b, KeyFileCodec.ASCII_HEADER.size(), b.length - 1));
            } else {
                binaryKeys.put(name, b);
            }
        }
        m.put("KeyFileFuzzTest#binary", binaryKeys);
        m.put("KeyFileFuzzTest#ascii", asciiKeys);
        m.put("Base64UrlFuzzTest#decode", asciiPayloads);
        Map<String, byte[]> allKeys = new LinkedHashMap<>(binaryKeys);
        allKeys.putAll(asciiKeys);
        m.put("KeyFileFuzzTest#reader", allKeys);

        Map<String, byte[]> kctx = new LinkedHashMap<>();
        Map<String, byte[]> lines = new LinkedHashMap<>();
        Map<String, byte[]> channelLines = new LinkedHashMap<>();
        Map<String, byte[]> replies = new LinkedHashMap<>();
        Map<String, byte[]> initTokens = new LinkedHashMap<>();
        Map<String, byte[]> respTokens = new LinkedHashMap<>();
        for (Path p : transcripts()) {
            String n = p.getFileName().toString().replace(".json", "");
            JsonObject root = Vectors.json("handshake/" + p.getFileName()).getAsJsonObject();
            JsonObject in = root.getAsJsonObject("inputs");
            JsonObject o = root.getAsJsonObject("outputs");
            byte[] init = Vectors.hex(o.get("client_init_token_hex").getAsString());
            byte[] resp = Vectors.hex(o.get("server_response_token_hex").getAsString());
            initTokens.put(n, init);
            respTokens.put(n, resp);
            kctx.put(n + "_client", Vectors.hex(o.get("client_kctx_hex").getAsString()));
            kctx.put(n + "_server", Vectors.hex(o.get("server_kctx_hex").getAsString()));
            long nid = Long.parseUnsignedLong(in.get("client_nid_u64").getAsString().substring(2), 16);
            lines.put(n, new UpcallLine(0x1234, (2L << 16) | 0x40, nid, 0x0123456789abcdefL,
                    in.get("server_nodemap_nm_name").getAsString(), new byte[0], init).format());
            channelLines.put(n, new lsk.kernel.CacheChannelLines.Request((2L << 16) | 1, nid, 5,
                    in.get("server_nodemap_nm_name").getAsString(), lsk.base.ByteString.empty(),
                    lsk.base.ByteString.copyOf(init)).format());
            replies.put(n, new ReplyBuffer(0, 0, 0, 64, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, resp).encode());
        }
        cases("handshake/responder_cases.json", "init_token_hex", initTokens);
        cases("handshake/initiator_cases.json", "resp_token_hex", respTokens);
        m.put("KernelContextFuzzTest#decode", kctx);
        m.put("SkMechFuzzTest#importContext", kctx);
        m.put("UpcallFuzzTest#requestLine", lines);
        m.put("CacheChannelFuzzTest#requestLine", channelLines);
        // cacheio.c qword_add's spellings: the mech name, escaped white space and backslash
        m.put("CacheChannelFuzzTest#quotedWord", Map.of("mech", "sk".getBytes(StandardCharsets.US_ASCII),
                "escapes", "a\\040b\\011c\\012d\\134".getBytes(StandardCharsets.US_ASCII)));
        Map<String, byte[]> cutReplies = new LinkedHashMap<>();
        replies.forEach((n, r) -> cutReplies.put(n, concat(new byte[] {0}, r)));
        m.put("UpcallFuzzTest#replyBuffer", cutReplies);
        m.put("SkMechFuzzTest#unwrap", wrapped());
        m.put("ResponderFuzzTest#initToken", initTokens);
        m.put("ResponderFuzzTest#signedInitToken", unsigned(initTokens, 8));
        m.put("InitiatorFuzzTest#response", respTokens);
        m.put("DaemonFuzzTest#requestToken", initTokens);
        m.put("DaemonFuzzTest#requestLine", lines);
        m.put("InitiatorFuzzTest#signedResponse", unsigned(respTokens, 4));

        Map<String, byte[]> ns = new LinkedHashMap<>(initTokens);
        for (JsonElement e : Vectors.json("netstring/netstring_cases.json").getAsJsonObject().getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            ns.put(c.get("name").getAsString(), Vectors.hex(c.get("input_hex").getAsString()));
        }
        m.put("NetstringFuzzTest#decode", ns);

        Map<String, byte[]> callouts = new LinkedHashMap<>();
        callouts.put("mdt_root", "5:sk:0:0:rm:i:16:0x20000c0a80165:tank-MDT0000_UUID:0x20000c0a80132:1234".getBytes(StandardCharsets.US_ASCII));
        callouts.put("user_priv_uuid", "7:sk:500:500::p:18:0x50000c0a80165:tank-OST0001_UUID:0x500000a0a0032:99:5f3b2a1c-client".getBytes(StandardCharsets.US_ASCII));
        m.put("UpcallFuzzTest#calloutInfo", callouts);
        Map<String, byte[]> argv = new LinkedHashMap<>();
        argv.put("create", String.join("\0", "create", "123", "lgssc", "sk@tank-MDT0000_UUID",
                "5:sk:0:0:rm:i:16:0x20000c0a80165:tank-MDT0000_UUID:0x20000c0a80132:1234",
                "0", "0", "0", "0", "456").getBytes(StandardCharsets.US_ASCII));
        argv.put("realm", ("-R\0LUSTRE\0" + new String(argv.get("create"), StandardCharsets.US_ASCII))
                .getBytes(StandardCharsets.US_ASCII));
        m.put("UpcallFuzzTest#argv", argv);
        Map<String, byte[]> nids = new LinkedHashMap<>();
        int i = 0;
        for (JsonElement e : Vectors.json("nid_strings.json").getAsJsonObject().getAsJsonArray("cases")) {
            nids.put("nid" + i++, e.getAsJsonObject().get("input").getAsString().getBytes(StandardCharsets.ISO_8859_1));
        }
        m.put("NidFuzzTest#parseNumeric", nids);
        // LUSTRE_VERSION_STRING as lustre-release builds print it in /sys/fs/lustre/version
        // (release, git-describe and dirty development builds, an in-kernel build).
        Map<String, byte[]> versions = new LinkedHashMap<>();
        for (String v : new String[] {"2.16.0\n", "2.16.1\n", "2.15.58_129_gd7d1644\n", "2.15.3_114_gb61b66c_dirty\n",
            "2.17.53\n", "in-kernel\n"}) {
            versions.put(v.strip(), v.getBytes(StandardCharsets.US_ASCII));
        }
        m.put("LustreVersionFuzzTest#parse", versions);
        return m;
    }

    /** Tokens the hs02 client context wrapped and signed: [header length] header token. */
    private static Map<String, byte[]> wrapped() {
        byte[] blob = Vectors.hex(Vectors.json("handshake/hs02_skpi_sha512_ffdhe2048_root.json").getAsJsonObject()
                .getAsJsonObject("outputs").get("client_kctx_hex").getAsString());
        Map<String, byte[]> out = new LinkedHashMap<>();
        byte[] header = "gss header".getBytes(StandardCharsets.US_ASCII);
        try (SkMech client = SkMech.importContext(blob, Clock.systemUTC())) {
            out.put("wrap_empty", concat(new byte[] {(byte) header.length}, header, client.wrap(header, new byte[0])));
            out.put("wrap_text", concat(new byte[] {(byte) header.length}, header,
                    client.wrap(header, "a message of some length".getBytes(StandardCharsets.US_ASCII))));
            out.put("mic", concat(new byte[] {(byte) header.length}, header, client.getMic(header)));
        } catch (GssException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        return lsk.base.Bytes.concat(parts);
    }

    private static void cases(String file, String field, Map<String, byte[]> into) {
        for (JsonElement e : Vectors.json(file).getAsJsonObject().getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            JsonElement v = c.get(field);
            if (v != null && !v.isJsonNull()) {
                into.put(c.get("name").getAsString(), Vectors.hex(v.getAsString()));
            }
        }
    }

    /** The tokens without their HMAC field (what the signing targets take), where they decode. */
    private static Map<String, byte[]> unsigned(Map<String, byte[]> tokens, int fields) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        tokens.forEach((name, t) -> {
            try {
                Netstring.Decoded d = Netstring.decode(t, fields - 1);
                out.put(name, java.util.Arrays.copyOf(t, d.consumed()));
            } catch (DecodeException e) {
                out.put(name, t);
            }
        });
        return out;
    }

    private static List<Path> keyFiles() {
        List<Path> out = new ArrayList<>();
        for (String dir : new String[] {"keyfiles", "keyfiles/cases"}) {
            try (Stream<Path> s = Files.list(Vectors.path(dir))) {
                s.filter(p -> p.getFileName().toString().endsWith(".key")).sorted().forEach(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private static List<Path> transcripts() {
        try (Stream<Path> s = Files.list(Vectors.path("handshake"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("hs")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
