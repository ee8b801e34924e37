/* The help texts of the atoll tool (docs/cli.md says the same in markdown). */
#include "help.h"

static const char kernel_keys_text[] =
    "Kernel command line (QEMU -append; `atoll run` composes it):\n"
    "  Tokens are separated by spaces; double quotes group; a backslash escapes the next\n"
    "  character. Before `--` come kernel keys; after `--` the program's arguments\n"
    "  (argv[1..]). The image's default command line (atoll build --cmdline) comes first and\n"
    "  the boot-time one overrides it; a `--` at boot replaces the default arguments entirely.\n"
    "    env.NAME=VALUE   environment variable (a later one overrides an earlier NAME)\n"
    "    stack=SIZE       size of main's stack, e.g. 256K or 1M (default 256K)\n"
    "    bootstat         print boot timing: atoll: bootstat entry_to_main_us=... tsc_hz=...\n"
    "    strace           log every system call\n"
    "    quiet            the kernel prints nothing but crash reports\n"
    "  Network keys (read by images that link networking: programs that use sockets):\n"
    "    netN=ADDR/PREFIX IPv4 address of NIC N (0..7, discovery order = --net order),\n"
    "                     e.g. net0=10.0.0.2/24; without it the NIC stays unconfigured\n"
    "    netN.mtu=BYTES   MTU of NIC N: 68..9000, at most the device's (default: the device's)\n"
    "    gw=ADDR          default gateway, in a configured NIC's subnet\n"
    "    route=DST/PREFIX,GW  a static route (repeatable), e.g. route=192.168.0.0/16,10.0.0.1\n"
    "    netstat          print the non-zero network counters at exit (atoll: netstat NAME=N)\n"
    "  An unknown key, a malformed value or a key naming a missing NIC stops the boot with\n"
    "  one line and exit status 2.\n";

static const char exit_status_text[] =
    "Exit status of `atoll run`:\n"
    "  n     the program called exit(n) (or returned n from main)\n"
    "  139   the program crashed (CPU exception in the app, like SIGSEGV in a shell)\n"
    "  134   kernel panic or abort()\n"
    "  124   --timeout expired (QEMU was killed)\n"
    "  125   runner error (bad arguments, missing image or QEMU), or QEMU ended without a\n"
    "        status line from the guest (triple fault, killed)\n"
    "  128+N atoll itself got signal N (Ctrl-C: 130) and stopped QEMU\n"
    "How the status travels: the guest writes the line `ATOLL-STATUS exit N` (or\n"
    "`ATOLL-STATUS crash 139|134`) to the isa-debugcon port 0x4f0, which QEMU writes to a\n"
    "temporary status file, then writes N to the isa-debug-exit port 0xf4. QEMU then exits\n"
    "with ((N<<1)|1)&0xff, which is ambiguous (exit(0) looks like QEMU's own error 1), so\n"
    "atoll takes the status from the status file instead.\n";

void help_main(FILE *out)
{
    fputs("Usage: atoll COMMAND [OPTIONS]\n"
          "\n"
          "Atoll turns one ordinary C program into a tiny x86_64 unikernel image and boots it\n"
          "in QEMU.\n"
          "\n"
          "Commands:\n"
          "  build PATH    build an image from a folder of C files or one .c file\n"
          "  run IMAGE     boot an image in QEMU and return the program's exit status\n"
          "  help [CMD]    show help (also: atoll CMD --help)\n"
          "\n"
          "Options:\n"
          "  -h, --help    show this help\n"
          "  --version     print atoll's version\n"
          "\n"
          "Example:\n"
          "  atoll build apps/hello && atoll run hello.img -- world\n"
          "\n",
          out);
    fputs(kernel_keys_text, out);
    fputs("\n", out);
    fputs(exit_status_text, out);
}

void help_build(FILE *out)
{
    fputs("Usage: atoll build PATH [-o IMAGE] [--target unikernel|linux|all] [--rootfs DIR]\n"
          "                   [--cmdline ARGS] [--mem SIZE] [--name NAME] [--strict] [-v]\n"
          "\n"
          "Builds an image from PATH: a folder (every *.c under it, recursively, except in\n"
          "rootfs/, build/ and hidden folders) or one .c file. The program needs no change\n"
          "and no Makefile. Each file is compiled once with musl-gcc; the objects are linked\n"
          "twice: with Atoll's kernel into the image, and as a static Linux binary.\n"
          "\n"
          "Options:\n"
          "  -o IMAGE          output image (default ./NAME.img). Beside it: the symbols ELF\n"
          "                    (IMAGE with .img replaced by .dbg, or IMAGE.dbg), and for\n"
          "                    --target linux|all the Linux binary (.img -> .linux).\n"
          "                    Objects go to .obj-NAME/ in IMAGE's folder.\n"
          "  --target T        unikernel (default), linux, or all (both)\n"
          "  --rootfs DIR      pack DIR into a newc cpio archive embedded in the image; the\n"
          "                    program reads it as its file system (default: PATH/rootfs/\n"
          "                    when it exists)\n"
          "  --cmdline ARGS    the image's default kernel command line, e.g.\n"
          "                    'env.GREETING=hi -- --port 80' (default: the contents of\n"
          "                    PATH/cmdline when it exists)\n"
          "  --mem SIZE        guest memory the image recommends to `atoll run` (e.g. 64M)\n"
          "  --name NAME       program name (argv[0]) and default image name (default: the\n"
          "                    folder's or file's base name)\n"
          "  --strict          fail when the program calls fork(), exec*(), posix_spawn*(),\n"
          "                    system() or popen() (a warning otherwise): one program runs\n"
          "                    per image, so they fail with ENOSYS at run time\n"
          "  -v, --verbose     print every command run\n"
          "  -h, --help        show this help\n"
          "\n"
          "Environment:\n"
          "  ATOLL_KERNEL_DIR  folder with libatoll.a and image.ld (default: ../kernel beside\n"
          "                    the atoll executable, i.e. build/kernel)\n"
          "\n"
          "Sizes: plain bytes or a K, M or G suffix (powers of 1024).\n"
          "Exit status: 0 built; 1 compile, link or --strict failure; 2 bad usage.\n"
          "\n",
          out);
    fputs(kernel_keys_text, out);
}

void help_run(FILE *out)
{
    fputs("Usage: atoll run IMAGE [--mem SIZE] [--machine microvm|pc|q35] [--accel auto|kvm|tcg]\n"
          "                 [-e KEY=VALUE]... [--rootfs DIR|CPIO] [--append ARGS]\n"
          "                 [--net user|tap=NAME[,...]]... [--netns NAME]\n"
          "                 [--runtime unikernel|vm]\n"
          "                 [--timeout SECONDS] [--qemu PATH] [--dry-run] [-- APP ARGS...]\n"
          "\n"
          "Boots IMAGE in QEMU, passes the guest console to stdout (crash reports symbolized\n"
          "from the .dbg file beside the image) and exits with the program's exit status.\n"
          "\n"
          "Options:\n"
          "  --mem SIZE         guest memory (default: the smallest that fits: at least 4M,\n"
          "                     at least the image's recommendation, and the image's end plus\n"
          "                     the --rootfs archive plus 3M, rounded up to whole MiB)\n"
          "  --machine M        QEMU machine: microvm (default), pc or q35\n"
          "  --accel A          auto (default: KVM when /dev/kvm works, else TCG), kvm or tcg;\n"
          "                     $ATOLL_ACCEL sets it too\n"
          "  -e KEY=VALUE       environment variable for the program (env.KEY=VALUE)\n"
          "  --rootfs DIR|CPIO  file system for this boot, replacing the embedded one: a folder\n"
          "                     (packed into a temporary newc cpio) or a newc cpio archive;\n"
          "                     passed with -initrd\n"
          "  --append ARGS      text added to the kernel command line as it is\n"
          "  --net user[,fwd=udp|tcp:HOSTADDR:HOSTPORT-:GUESTPORT]...[,mac=MAC]\n"
          "                     a virtio-net NIC on QEMU user networking (no root needed);\n"
          "                     each fwd forwards a host port, on a loopback address only\n"
          "                     (127.0.0.0/8), to a guest port\n"
          "  --net tap=NAME[,ip=ADDR/PREFIX][,gw=ADDR][,mac=MAC]\n"
          "                     a virtio-net NIC on the existing tap interface NAME\n"
          "                     ip= and gw= become the kernel keys netN=ADDR/PREFIX and gw=ADDR\n"
          "                     The first user NIC gets net<N>=10.0.2.15/24 and, if no NIC\n"
          "                     gave gw=, gw=10.0.2.2 (QEMU's addresses). A netN= or gw= of\n"
          "                     your own in --append replaces the generated one.\n"
          "                     --net repeats: the NICs are net0, net1, ... in this order\n"
          "                     (virtio-net-device on microvm, virtio-net-pci on pc and q35)\n"
          "  --netns NAME       run QEMU inside the existing network namespace NAME\n"
          "                     (ip netns exec; needs the rights to enter it)\n"
          "  --runtime R        unikernel (default) or vm: boot the Linux binary beside the\n"
          "                     image (NAME.linux; or pass a Linux binary) in Debian's kernel\n"
          "                     with a busybox initramfs from $ATOLL_VM_DIR (default: vm/\n"
          "                     beside the folder of atoll: build/vm; `make vm` builds it);\n"
          "                     the same options, command line and exit statuses; memory\n"
          "                     defaults to 96M (see docs/vm.md)\n"
          "  --timeout SECONDS  stop QEMU after this long and exit with 124\n"
          "  --qemu PATH        QEMU binary (default: $ATOLL_QEMU, else qemu-system-x86_64)\n"
          "  --dry-run          print the QEMU command line (shell-quoted) and exit; creates\n"
          "                     no files (temporary paths are shown as templates)\n"
          "  -- APP ARGS        the program's arguments; each is double-quoted for the kernel\n"
          "                     command line, replacing the image's default arguments\n"
          "  -h, --help         show this help\n"
          "\n"
          "Ctrl-C or SIGTERM stops QEMU, removes the temporary files and exits with 128+N.\n"
          "\n",
          out);
    fputs(kernel_keys_text, out);
    fputs("\n", out);
    fputs(exit_status_text, out);
}
