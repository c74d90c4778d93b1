/**
 * The simulated kernel of each Lustre version (a parameter tree plus loopback channels) behind
 * the same files and sockets as the real one, and {@code lsk simkernel}. It reads what lsk
 * writes with decoders of its own, written from the C structs ({@link lsk.kernel.sim.SimDowncalls}),
 * so tests hold lsk's encoders against an independent reader; a write it refuses answers with
 * the errno the kernel would. A 2.15.x kernel serves the sunrpc cache channel files instead
 * ({@link lsk.kernel.sim.SimCacheChannels}), with the kernel's request line and line parsers of
 * its own ({@link lsk.kernel.sim.SimCacheLines}, written from gss_svc_upcall.c and
 * net/sunrpc/cache.c).
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.kernel.
 */
package lsk.kernel.sim;
