/* libFuzzer harness: boot_config_parse on two arbitrary command lines (split at the first NUL). */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/cmdline.h"
#include "atoll/errno.h"

static struct boot_config cfg;

static void check_string(const char *s)
{
    const char *lo = cfg.storage, *hi = cfg.storage + sizeof(cfg.storage);
    assert(s >= lo && s < hi);
    assert(memchr(s, '\0', (size_t)(hi - s)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 2);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    buf[size + 1] = '\0';
    const char *image = buf;
    const char *boot = buf + strlen(buf) + 1;
    /* An empty first part stands for a missing image cmdline. */
    if (image[0] == '\0')
        image = NULL;

    char err[160];
    int rc = boot_config_parse(&cfg, image, boot, err, sizeof(err));
    if (rc == 0) {
        assert(err[0] == '\0');
        assert(cfg.argc >= 0 && cfg.argc <= CMDLINE_MAX_ARGS);
        assert(cfg.envc >= 0 && cfg.envc <= CMDLINE_MAX_ENV);
        for (int i = 0; i < cfg.argc; i++)
            check_string(cfg.argv[i]);
        for (int i = 0; i < cfg.envc; i++) {
            check_string(cfg.envp[i]);
            const char *eq = strchr(cfg.envp[i], '=');
            assert(eq != NULL && eq != cfg.envp[i]);
            for (int j = 0; j < i; j++) {
                size_t n = (size_t)(eq - cfg.envp[i]);
                assert(!(strncmp(cfg.envp[j], cfg.envp[i], n) == 0 && cfg.envp[j][n] == '='));
            }
        }
        assert(cfg.stack_size >= CMDLINE_MIN_STACK && cfg.stack_size <= CMDLINE_MAX_STACK);
        assert(cfg.stack_size % 4096 == 0);
    } else {
        assert(rc == -EINVAL || rc == -E2BIG);
        /* One non-empty line naming its source. */
        assert(strncmp(err, "image cmdline: ", 15) == 0 || strncmp(err, "boot cmdline: ", 14) == 0);
        assert(strchr(err, '\n') == NULL);
    }
    free(buf);
    return 0;
}
