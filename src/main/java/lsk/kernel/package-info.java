/**
 * The real kernel boundary of each Lustre version: the version table ({@link lsk.kernel.KernelAbi}),
 * parameter files, the upcall line, the rsi/rsc downcalls, the context serialized for the kernel
 * ({@link lsk.kernel.KernelContextCodec}) and the client's init channel.
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.keyfile, lsk.lnet.
 */
package lsk.kernel;
