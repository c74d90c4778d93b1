/* lsk native shim: the few kernel calls that need raw syscalls or C structs.
 * Bound from Java with JNA (lsk.kernel / lsk.keyring). Keep it small. */
#include <stdint.h>

/* Lets Java check that the library it loaded is the one it was built with. */
int lsk_shim_abi_version(void)
{
	return 1;
}
