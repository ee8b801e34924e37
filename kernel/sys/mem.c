/* Memory syscalls: brk, mmap (anonymous and read-only file copies), munmap, mremap, mprotect,
 * madvise. */
#include "atoll/file.h"
#include "atoll/kernel.h"
#include "atoll/mm.h"
#include "atoll/syscall.h"

#define PROT_READ     1
#define PROT_WRITE    2
#define MAP_SHARED    0x01
#define MAP_ANONYMOUS 0x20

static long sys_brk(uint64_t end)
{
    return (long)vmem_brk(end);
}

/* Files live in a read-only archive: a file mapping is a private copy of the file's bytes. */
static long map_file(uint64_t addr, uint64_t len, int prot, int flags, int fd, int64_t off)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if ((f->entry.mode & S_IFMT) != S_IFREG || !f->ops->pread)
        return -ENODEV;
    if (off < 0 || (off & (PAGE_SIZE - 1)))
        return -EINVAL;
    if ((flags & MAP_SHARED) && (prot & PROT_WRITE))
        return -EACCES;
    long m = vmem_mmap(addr, len, PROT_READ | PROT_WRITE, flags);
    if (m < 0)
        return m;
    if ((uint64_t)off < f->entry.size)
        memcpy((void *)m, f->entry.data + off, (size_t)MIN(len, f->entry.size - (uint64_t)off));
    if (prot != (PROT_READ | PROT_WRITE))
        vmem_mprotect((uint64_t)m, ALIGN_UP(len, PAGE_SIZE), prot);
    return m;
}

static long sys_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, int64_t off)
{
    if (!(flags & MAP_ANONYMOUS))
        return map_file(addr, len, prot, flags, fd, off);
    return vmem_mmap(addr, len, prot, flags);
}

static long sys_munmap(uint64_t addr, uint64_t len)
{
    return vmem_munmap(addr, len);
}

static long sys_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, int flags,
                       uint64_t new_addr)
{
    return vmem_mremap(old, old_len, new_len, flags, new_addr);
}

static long sys_mprotect(uint64_t addr, uint64_t len, int prot)
{
    return vmem_mprotect(addr, len, prot);
}

/* Advice and locking have nothing to act on: memory is never paged out. */
static long sys_madvise(void)
{
    return 0;
}
#define sys_mlock      sys_madvise
#define sys_munlock    sys_madvise
#define sys_mlockall   sys_madvise
#define sys_munlockall sys_madvise
#define sys_msync      sys_madvise

const struct syscall_entry syscalls_mem[] = {
    SYSCALL(brk),      SYSCALL(mmap),       SYSCALL(munmap), SYSCALL(mremap),
    SYSCALL(mprotect), SYSCALL(madvise),    SYSCALL(mlock),  SYSCALL(munlock),
    SYSCALL(mlockall), SYSCALL(munlockall), SYSCALL(msync),  {-1, NULL},
};
