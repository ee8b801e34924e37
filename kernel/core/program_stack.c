/* Lays out the program's initial stack exactly as Linux does: argc, argv, envp, auxv, strings. */
#include "atoll/cmdline.h"
#include "atoll/kernel.h"
#include "atoll/rootfs.h"

#define AT_NULL     0
#define AT_PHDR     3
#define AT_PHENT    4
#define AT_PHNUM    5
#define AT_PAGESZ   6
#define AT_BASE     7
#define AT_FLAGS    8
#define AT_ENTRY    9
#define AT_UID      11
#define AT_EUID     12
#define AT_GID      13
#define AT_EGID     14
#define AT_PLATFORM 15
#define AT_HWCAP    16
#define AT_CLKTCK   17
#define AT_SECURE   23
#define AT_RANDOM   25
#define AT_EXECFN   31

extern char __image_start[], _start[];

struct elf64_header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

static char *push_string(char **sp, const char *s)
{
    size_t n = strlen(s) + 1;
    *sp -= n;
    memcpy(*sp, s, n);
    return *sp;
}

uint64_t program_stack_build(uint64_t top, const char *argv0, const struct boot_config *cfg)
{
    char *sp = (char *)top;
    const char *argv[CMDLINE_MAX_ARGS + 1];
    const char *envp[CMDLINE_MAX_ENV];
    int argc = 0;
    argv[argc++] = push_string(&sp, argv0);
    for (int i = 0; i < cfg->argc; i++)
        argv[argc++] = push_string(&sp, cfg->argv[i]);
    for (int i = 0; i < cfg->envc; i++)
        envp[i] = push_string(&sp, cfg->envp[i]);
    const char *platform = push_string(&sp, "x86_64");
    sp -= 16;
    char *random = sp;
    random_bytes(random, 16);

    const struct elf64_header *eh = (const struct elf64_header *)__image_start;
    const uint64_t aux[][2] = {
        {AT_PHDR, (uint64_t)__image_start + eh->phoff},
        {AT_PHENT, eh->phentsize},
        {AT_PHNUM, eh->phnum},
        {AT_PAGESZ, PAGE_SIZE},
        {AT_BASE, 0},
        {AT_FLAGS, 0},
        {AT_ENTRY, (uint64_t)_start},
        {AT_UID, 0},
        {AT_EUID, 0},
        {AT_GID, 0},
        {AT_EGID, 0},
        {AT_PLATFORM, (uint64_t)platform},
        {AT_HWCAP, 0},
        {AT_CLKTCK, 100},
        {AT_SECURE, 0},
        {AT_RANDOM, (uint64_t)random},
        {AT_EXECFN, (uint64_t)argv[0]},
        {AT_NULL, 0},
    };
    size_t words = 1 + (size_t)argc + 1 + (size_t)cfg->envc + 1 + 2 * ARRAY_SIZE(aux);
    uint64_t *w = (uint64_t *)ALIGN_DOWN((uint64_t)sp, 16);
    if (words & 1)
        w--; /* rsp must be 16-byte aligned at _start */
    w -= words;
    uint64_t *p = w;
    *p++ = (uint64_t)argc;
    for (int i = 0; i < argc; i++)
        *p++ = (uint64_t)argv[i];
    *p++ = 0;
    for (int i = 0; i < cfg->envc; i++)
        *p++ = (uint64_t)envp[i];
    *p++ = 0;
    for (size_t i = 0; i < ARRAY_SIZE(aux); i++) {
        *p++ = aux[i][0];
        *p++ = aux[i][1];
    }
    return (uint64_t)w;
}
