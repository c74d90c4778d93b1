package lsk.keyfile;

import java.util.List;
import lsk.base.LskException;

/**
 * Where the responder finds keys: every key whose description is the one given or extends it
 * with {@code :} (the dated keys of a rotation, {@code lgss_sk -s}), in the order they should be
 * tried. The daemon backs this with the kernel keyring; tests with a map. The keys stay the
 * source's: the responder reads them and never wipes them (a map hands the same ones out again).
 */
@FunctionalInterface
public interface KeySource {
    List<KeyConfig> keys(String description) throws LskException;
}
