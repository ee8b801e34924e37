/* Descriptors 0, 1 and 2: the console. stdin reads end-of-file; stdout and stderr go to the console
 * ring. */
#include "atoll/file.h"
#include "atoll/kernel.h"

#define TIOCGWINSZ 0x5413
#define TCGETS     0x5401

static long console_read(struct file *f, void *buf, size_t len)
{
    (void)f, (void)buf, (void)len;
    return 0;
}

static long console_file_write(struct file *f, const void *buf, size_t len)
{
    (void)f;
    console_write(buf, len);
    return (long)len;
}

static long console_stat(struct file *f, struct linux_stat *st)
{
    (void)f;
    st->st_mode = S_IFCHR | 0620;
    st->st_rdev = (4 << 8) | 64; /* ttyS0 */
    st->st_blksize = 1024;
    st->st_nlink = 1;
    return 0;
}

static long console_ioctl(struct file *f, unsigned long req, unsigned long arg)
{
    (void)f;
    if (req == TIOCGWINSZ) {
        /* Answering as a terminal makes musl line-buffer stdout, as on a Linux console. */
        uint16_t *ws = (uint16_t *)arg;
        ws[0] = 24, ws[1] = 80, ws[2] = 0, ws[3] = 0;
        return 0;
    }
    if (req == TCGETS) {
        memset((void *)arg, 0, 36);
        return 0;
    }
    return -ENOTTY;
}

static const struct file_ops console_ops = {
    .read = console_read,
    .write = console_file_write,
    .stat = console_stat,
    .ioctl = console_ioctl,
};

void stdio_init(void)
{
    for (int fd = 0; fd < 3; fd++)
        fd_install(file_alloc(&console_ops, O_RDWR), fd, false);
}
