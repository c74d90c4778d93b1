package lsk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;
import lsk.keyfile.KeyFileFormatException;
import lsk.keyfile.KeyFiles;
import lsk.keyfile.KeyValidation;

/**
 * The key file codec on hostile files (a key file may come from anywhere: -r reads any path,
 * stdin). Only {@link KeyFileFormatException} is an allowed rejection. What decodes must
 * re-encode to an image that decodes to the same config, and its toString must not show the key.
 */
class KeyFileFuzzTest {
    @FuzzTest
    void binary(byte[] data) {
        KeyConfig c;
        try {
            c = KeyFileCodec.decodeBinary(data);
        } catch (KeyFileFormatException e) {
            if (data.length == KeyFileCodec.SIZE) {
                throw Fuzz.fail("a " + KeyFileCodec.SIZE + "-byte image was refused: " + e.getMessage());
            }
            return;
        }
        checkDecoded(c, data);
    }

    @FuzzTest
    void ascii(byte[] data) {
        byte[] image;
        try {
            image = KeyFileCodec.asciiPayload(data);
        } catch (KeyFileFormatException e) {
            Fuzz.assertNoSecret("ASCII rejection message", e.getMessage(), data);
            return;
        }
        if (image.length != KeyFileCodec.SIZE) {
            throw Fuzz.fail("ASCII payload of " + image.length + " bytes accepted");
        }
        KeyConfig c;
        try {
            c = KeyFileCodec.decodeBinary(image);
        } catch (KeyFileFormatException e) {
            throw Fuzz.fail("accepted ASCII payload does not decode: " + e.getMessage());
        }
        checkDecoded(c, image);
        if (!KeyFileCodec.isNulTerminated(image, KeyFileCodec.OFF_FSNAME, KeyFileCodec.FSNAME_FIELD)
                || !KeyFileCodec.isNulTerminated(image, KeyFileCodec.OFF_NODEMAP, KeyFileCodec.NODEMAP_FIELD)) {
            return;
        }
        // The ASCII writer must produce a file the reader maps back to the same image.
        byte[] again;
        try {
            again = KeyFileCodec.asciiPayload(KeyFileCodec.encodeAscii(c));
        } catch (KeyFileFormatException e) {
            throw Fuzz.fail("encodeAscii output refused by asciiPayload: " + e.getMessage());
        }
        if (!Arrays.equals(again, KeyFileCodec.encodeBinary(c))) {
            throw Fuzz.fail("ASCII round trip changed the image");
        }
    }

    /**
     * The reader lgss_sk uses (either form, size limits, C's messages). A file that validates
     * must write back, in its own form, to a file that reads as the same key.
     */
    @FuzzTest
    void reader(byte[] data) {
        KeyFiles.KeyFile kf;
        try {
            kf = KeyFiles.decode("fuzz.key", data);
        } catch (KeyFileFormatException e) {
            Fuzz.assertNoSecret("reader message", e.getMessage(), data.length > 300 ? Arrays.copyOfRange(data, 231, 263) : null, data);
            return;
        }
        KeyConfig c = kf.config();
        if (KeyValidation.check(c).isPresent()) {
            return;
        }
        byte[] again = kf.ascii() ? KeyFileCodec.encodeAscii(c) : KeyFileCodec.encodeBinary(c);
        KeyFiles.KeyFile back;
        try {
            back = KeyFiles.decode("again", again);
        } catch (KeyFileFormatException e) {
            throw Fuzz.fail("a valid key did not read back: " + e.getMessage());
        }
        if (!back.config().equals(c) || back.ascii() != kf.ascii()) {
            throw Fuzz.fail("a valid key changed on write/read");
        }
    }

    private static void checkDecoded(KeyConfig c, byte[] image) {
        Fuzz.assertNoSecret("KeyConfig.toString", c.toString(), c.sharedKey(), image);
        // Text fields without a NUL decode (lgss_sk -r prints such files) but are invalid, as in
        // C: the validator refuses them and the encoder cannot write them back. Not a round trip.
        if (!KeyFileCodec.isNulTerminated(image, KeyFileCodec.OFF_FSNAME, KeyFileCodec.FSNAME_FIELD)
                || !KeyFileCodec.isNulTerminated(image, KeyFileCodec.OFF_NODEMAP, KeyFileCodec.NODEMAP_FIELD)) {
            return;
        }
        byte[] reencoded = KeyFileCodec.encodeBinary(c);
        KeyConfig again;
        try {
            again = KeyFileCodec.decodeBinary(reencoded);
        } catch (KeyFileFormatException e) {
            throw Fuzz.fail("re-encoded image refused: " + e.getMessage());
        }
        if (!again.equals(c)) {
            throw Fuzz.fail("decode/encode/decode changed the config");
        }
        // Numeric fields, NIDs, key and prime are copied verbatim: only text after a NUL may differ.
        if (!Arrays.equals(reencoded, 0, KeyFileCodec.OFF_FSNAME, image, 0, KeyFileCodec.OFF_FSNAME)
                || !Arrays.equals(reencoded, KeyFileCodec.OFF_SHARED_KEY, KeyFileCodec.SIZE,
                        image, KeyFileCodec.OFF_SHARED_KEY, KeyFileCodec.SIZE)) {
            throw Fuzz.fail("re-encoding changed a fixed field");
        }
    }
}
