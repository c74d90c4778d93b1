/**
 * Diagnostic commands that replay a SEC_CTX_INIT exchange offline ({@code transcript},
 * {@code respond}, {@code initiate}); they print key material and are for test keys only.
 * Their command lines are long options parsed by {@code lsk.cmd.Getopt} ({@code ToolArgs}).
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.crypto, lsk.wire, lsk.keyfile, lsk.kernel, lsk.keyring, lsk.handshake, lsk.lnet.
 */
package lsk.tools;
