/**
 * {@code lgss_keyring}: the client's request-key upcall. {@link lsk.upcall.LgssKeyring} (the
 * command) runs the steps in order: {@link lsk.upcall.UpcallArgs} and
 * {@link lsk.upcall.CalloutInfo} (the request, parsed strictly), {@link lsk.upcall.ClientKeys}
 * (the client key), {@link lsk.upcall.Admission} (the checks before instantiating, also the
 * resident service's), {@link lsk.upcall.KeyInstantiation} (permissions, instantiation),
 * {@link lsk.upcall.Spawn} (the detached background process) and {@link lsk.upcall.Negotiation}
 * (the handshake through the kernel's init_channel, with its retries), which stores a
 * {@link lsk.upcall.KeyPayload} through {@link lsk.upcall.KeyUpdater}.
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.crypto, lsk.wire, lsk.keyfile, lsk.kernel, lsk.keyring, lsk.handshake, lsk.obd, lsk.lnet.
 */
package lsk.upcall;
