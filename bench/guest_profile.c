/* A QEMU TCG plugin that counts the guest instructions each translated block executes and writes
 * "ADDRESS INSNS EXECUTIONS" lines at QEMU's exit (bench/guest_profile.sh makes a per-function
 * table of them). Under TCG the guest's instructions are a large share of QEMU's CPU time, and
 * perf sees them only as anonymous JIT code: this names the guest functions that cost them.
 * Declares the few entry points of QEMU's plugin API it uses (API version 1, QEMU 7.2). */
#include <inttypes.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
                                              void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *udata);

#define EXPORT __attribute__((visibility("default")))
EXPORT int qemu_plugin_version = 1;

/* One per translation (a block translated again gets another; the report adds them up). */
struct block {
    uint64_t vaddr, insns, executions;
    struct block *next;
};
static struct block *blocks;
static pthread_mutex_t blocks_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    struct block *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return;
    b->vaddr = qemu_plugin_tb_vaddr(tb);
    b->insns = qemu_plugin_tb_n_insns(tb);
    pthread_mutex_lock(&blocks_lock);
    b->next = blocks;
    blocks = b;
    pthread_mutex_unlock(&blocks_lock);
    /* An inline add: no helper call per execution, so the profile barely slows the guest. */
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->executions, 1);
}

static void on_qemu_exit(qemu_plugin_id_t id, void *udata)
{
    (void)id;
    FILE *f = fopen((const char *)udata, "w");
    if (f == NULL) {
        perror("guest_profile: output");
        return;
    }
    for (const struct block *b = blocks; b; b = b->next)
        if (b->executions)
            fprintf(f, "%" PRIx64 " %" PRIu64 " %" PRIu64 "\n", b->vaddr, b->insns, b->executions);
    fclose(f);
}

/* Arguments: out=PATH (default guest-profile.txt in QEMU's working folder). */
EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    const char *out = "guest-profile.txt";
    for (int i = 0; i < argc; i++)
        if (argv[i][0] == 'o' && argv[i][1] == 'u' && argv[i][2] == 't' && argv[i][3] == '=')
            out = argv[i] + 4;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    char *path = strdup(out);
    if (path == NULL)
        return -1;
    qemu_plugin_register_atexit_cb(id, on_qemu_exit, path);
    return 0;
}
