package lsk.keys;

import java.io.PrintStream;
import java.util.List;
import lsk.keyfile.KeyConfig;
import lsk.lnet.Nid;

/**
 * What {@code keys rotate} tells the administrator to do next: which file goes to which nodes,
 * by the key's type bits (MGS part to the MGS, server part to the file system's servers, client
 * part to its clients), how to load it there, and in which order, so that no node is ever left
 * with only a key its peers no longer have. Names and paths only: never key material.
 */
final class Distribution {
    private Distribution() {
    }

    static void print(List<String> names, List<KeyConfig> keys, Rotation.Options opts, PrintStream out) {
        out.print("\nNext steps (copy each file to the same path on those nodes, owner-only, e.g. with scp -p):\n");
        boolean servers = false;
        boolean clients = false;
        for (int i = 0; i < names.size(); i++) {
            KeyConfig c = keys.get(i);
            String name = names.get(i);
            String fs = c.fsname().isEmpty() ? "(no file system)" : c.fsname();
            if (c.isMgs()) {
                out.print("  " + name + ": to the MGS (nodemap '" + c.nodemap() + "'); there: lgss_sk -s -x "
                        + opts.formerKeyTimeout() + " -l " + name + "\n");
                servers = true;
            }
            if (c.isServer()) {
                out.print("  " + name + ": to every MDS and OSS of " + fs + " (nodemap '" + c.nodemap()
                        + "'); there: lgss_sk -s -x " + opts.formerKeyTimeout() + " -l " + name + "\n");
                servers = true;
            }
            if (c.isClient()) {
                StringBuilder mgs = new StringBuilder();
                for (long nid : c.usedMgsNids()) {
                    mgs.append(mgs.length() == 0 ? ", MGS " : " ").append(Nid.format(nid));
                }
                out.print("  " + name + ": to every client of " + fs + " (nodemap '" + c.nodemap() + "'" + mgs
                        + "); there: lgss_sk -l " + name + "\n");
                clients = true;
            }
        }
        if (servers) {
            out.print("Load the server and MGS keys on every server first: each keeps accepting the former key for "
                    + opts.formerKeyTimeout() + " s (keys list shows what is left).\n");
        }
        if (clients) {
            out.print("Then load the client keys on every client"
                    + (servers ? ", well within that time" : "") + ": a client uses the new key from then on.\n");
        }
        out.print("A node booted with lsk-keys.service loads the new files from its key directory by itself.\n");
    }
}
