/* lsk native shim, file system part: what cfs_get_param_paths needs to find debugfs
 * parameters (statfs magic, mount of debugfs). Returns >= 0 or -errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/vfs.h>

/* f_type of the file system holding path (e.g. 0x64626720 for debugfs). */
int64_t lsk_statfs_magic(const char *path)
{
	struct statfs st;

	if (statfs(path, &st) != 0)
		return -errno;
	return (int64_t)(uint64_t)(unsigned long)st.f_type;
}

/* mount -t debugfs none <target>: what the C tools do when debugfs is not mounted. */
int64_t lsk_mount_debugfs(const char *target)
{
	return mount("none", target, "debugfs", 0, NULL) ? -errno : 0;
}
