package lsk.lgsssk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import lsk.keyfile.KeyConfig;
import lsk.sk.CryptAlg;
import lsk.sk.HmacAlg;
import org.junit.jupiter.api.Test;

/** The two pure steps of lgss_sk without files: argv to a request, and the key edit. */
class RequestParserKeyEditTest {

    private static RequestParser.Parsed parse(String... args) {
        return RequestParser.parse("lgss_sk", List.of(args), false);
    }

    private static Request.Changes changes(String... args) {
        return ((Request.Write) parse(args).request().orElseThrow()).changes();
    }

    @Test
    void optionsAreCheckedInOrderAndStopAtTheFirstError() {
        RequestParser.Parsed p = parse("-e", "10", "-f", "x".repeat(65), "-e", "5", "-w", "k");
        assertEquals(Optional.empty(), p.request());
        assertEquals(List.of(
                RequestParser.Note.err(
                        "warning: using a 10s key expiration may cause issues during key renegotiation\n"),
                RequestParser.Note.err("error: file system name longer than 64 characters\n")), p.notes());
    }

    @Test
    void typesAddUpAndNoneMeansKeep() {
        Request.Changes c = changes("-t", "server,MGS", "-t", "client", "-c", "NONE", "-i", "sha512", "-e", "-1",
                "-k", "512", "-f", "tank", "-w", "k");
        assertEquals(OptionalInt.of(KeyConfig.TYPE_CLIENT | KeyConfig.TYPE_SERVER | KeyConfig.TYPE_MGS), c.type());
        assertEquals(Optional.empty(), c.crypt());
        assertEquals(Optional.of(HmacAlg.SHA512), c.hmac());
        assertEquals(OptionalInt.empty(), c.expire());
        assertEquals(OptionalInt.of(512), c.sharedKeyBits());
        assertEquals(Optional.of("tank"), c.fsname());
    }

    @Test
    void theOperationIsChosenInCsOrder() {
        assertInstanceOf(Request.Read.class, parse("-l", "a", "-r", "b", "-w", "c").request().orElseThrow());
        assertInstanceOf(Request.Load.class, parse("-l", "a", "-m", "b").request().orElseThrow());
        assertInstanceOf(Request.Modify.class, parse("-w", "a", "-m", "b").request().orElseThrow());
        Request.Write w = (Request.Write) parse("-t", "server", "-f", "x", "-w", "k").request().orElseThrow();
        assertEquals("/dev/random", w.datafile());
        Request.Load l = (Request.Load) parse("-v", "-v", "-s", "-x", "5", "-t", "client", "-l", "d").request()
                .orElseThrow();
        assertEquals(new Request.Load("d", true, false, 2, true, 5, null), l);
        assertTrue(parse("-d", "f", "-m", "k").request().isEmpty());
        assertTrue(parse("-c", "bogus", "-w", "k").request().isEmpty());
        assertTrue(parse("-c", "bogus", "-r", "k").request().isPresent()); // -r never looks at -c
    }

    private static KeyConfig clientKey() {
        return KeyConfig.builder().type(KeyConfig.TYPE_CLIENT).fsname("tank").primeBits(2048)
                .prime(new byte[] {(byte) 0xff, 1}).sharedKey(new byte[32]).build();
    }

    @Test
    void modifyKeepsCsPrimeQuirk() {
        Request.Changes same = changes("-p", "2048", "-t", "client", "-f", "x", "-w", "k");
        KeyEdit.Edited e = (KeyEdit.Edited) KeyEdit.modify(clientKey(), same, "k");
        assertFalse(e.needsPrime());
        assertFalse(e.config().hasPrime());
        Request.Changes other = changes("-p", "3072", "-f", "x", "-t", "client", "-w", "k");
        assertTrue(((KeyEdit.Edited) KeyEdit.modify(clientKey(), other, "k")).needsPrime());
        Request.Changes toServer = changes("-t", "server", "-f", "x", "-w", "k");
        KeyEdit.Edited s = (KeyEdit.Edited) KeyEdit.modify(clientKey(), toServer, "k");
        assertFalse(s.needsPrime());
        assertFalse(s.config().hasPrime());
        assertEquals(CryptAlg.AES256_CTR.id(), s.config().cryptAlg());
    }

    @Test
    void refusalsCarryCsMessages() {
        Request.Changes noName = new Request.Changes(OptionalInt.of(KeyConfig.TYPE_SERVER), Optional.empty(),
                Optional.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
        assertEquals(new KeyEdit.Refused("error: missing --fsname or --mgsnids"), KeyEdit.create(noName, "k"));
        assertEquals(new KeyEdit.Refused("error: prime length must be at least 512"),
                KeyEdit.create(changes("-t", "client", "-f", "x", "-p", "256", "-w", "k"), "k"));
        assertEquals(new KeyEdit.Refused("Invalid expiration time should be between 60 and 2147483647",
                "error: key configuration failed validation"),
                KeyEdit.create(changes("-t", "server", "-f", "x", "-e", "10", "-w", "k"), "k"));
        List<String> nids = new ArrayList<>();
        for (int i = 1; i <= 16; i++) {
            nids.add("10.0.0." + i + "@tcp");
        }
        assertEquals(Optional.of("error: more than 16 MGS NIDs provided"), KeyEdit.badMgsNids(String.join(",", nids)));
        assertEquals(Optional.empty(), KeyEdit.badMgsNids(String.join(",", nids.subList(0, 15))));
        assertEquals(Optional.of("error: invalid MGS NID: nope"), KeyEdit.badMgsNids("10.0.0.1@tcp,nope"));
    }
}
