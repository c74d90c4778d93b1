/**
 * The real kernel boundary of each Lustre version: the version table ({@link lsk.kernel.KernelAbi})
 * and {@code lsk abi}, parameter files and their trust checks, the upcall line, the rsi/rsc
 * downcalls (encoded by the native shim; public bytes as {@link lsk.base.ByteString}, the
 * context as {@link lsk.base.Secret}), the context serialized for the kernel
 * ({@link lsk.kernel.KernelContextCodec}; its keys are Secrets the context owns) and the
 * client's init channel (its reply buffer's bytes as ByteString). Its decoders throw
 * {@link lsk.base.DecodeException}; the errno is chosen by the caller. It knows nothing of the
 * simulated kernel, the mech model, the handshake or the keyring.
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.keyfile.
 */
package lsk.kernel;
