/* The vm runtime's nftables forwarder as a program: runs the boot script that nft.cpio.gz holds. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* `atoll run --runtime vm` boots ELF programs only; the work itself is a busybox sh script
 * (tools/vm/nft-forward.sh), installed by tools/vm/build-nft.sh at this path. */
#define BUSYBOX "/bin/busybox"
#define SCRIPT  "/bin/nft-forward.sh"

int main(int argc, char **argv)
{
    char *args[argc + 3];
    args[0] = "sh";
    args[1] = SCRIPT;
    for (int i = 1; i < argc; i++)
        args[i + 1] = argv[i];
    args[argc + 1] = NULL;
    execv(BUSYBOX, args);
    fprintf(stderr, "nft-forward: %s: %s (is build/vm/nft.cpio.gz unpacked as --rootfs?)\n",
            BUSYBOX, strerror(errno));
    return 127;
}
