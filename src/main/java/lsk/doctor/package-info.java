/**
 * {@code lsk doctor}: checks a node and says what to fix, one line per check ({@code ok},
 * {@code PROBLEM ...; fix: ...}, {@code skip}), exit status the number of problems. Read-only:
 * it never changes the node (it reports an unmounted debugfs, never mounts it). Every path goes
 * through a {@link lsk.doctor.Node} (a filesystem root for /etc, /run and /usr, the parameter
 * root of the kernel, /proc), so tests inject problems without touching the real node.
 * {@link lsk.doctor.Doctor} is the one entry point; the checks are grouped by what they look at.
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.kernel, lsk.keyfile, lsk.keyring, lsk.keys, lsk.gssd.
 */
package lsk.doctor;
