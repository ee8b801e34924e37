/* newc cpio reader: validates an archive once, then finds paths and lists directories in it. */
#include "atoll/cpio.h"
#include "atoll/errno.h"
#include "atoll/klib.h"

#define HEADER_LEN 110 /* 6-byte magic and 13 fields of 8 hex digits */
#define TRAILER    "TRAILER!!!"

/* One header as found in the archive. */
struct raw_entry {
    uint32_t ino, mode, uid, gid, nlink, mtime, filesize;
    const char *name;
    size_t namelen; /* without the NUL */
    const uint8_t *data;
    size_t next; /* offset of the following header (may lie past the end) */
    bool trailer;
};

static bool parse_hex8(const uint8_t *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        uint8_t c = p[i];
        uint32_t digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            return false;
        v = v << 4 | digit;
    }
    *out = v;
    return true;
}

static size_t align4(size_t x)
{
    return (x + 3) & ~(size_t)3;
}

/* Walks the '/'-separated components of a name, skipping empty and "." ones. */
struct components {
    const char *p;
    size_t left;
};

static bool next_component(struct components *it, const char **comp, size_t *n)
{
    for (;;) {
        while (it->left > 0 && *it->p == '/') {
            it->p++;
            it->left--;
        }
        if (it->left == 0)
            return false;
        const char *start = it->p;
        while (it->left > 0 && *it->p != '/') {
            it->p++;
            it->left--;
        }
        *comp = start;
        *n = (size_t)(it->p - start);
        if (!(*n == 1 && start[0] == '.'))
            return true;
    }
}

static bool has_dotdot(const char *name, size_t len)
{
    struct components it = {name, len};
    const char *c;
    size_t n;
    while (next_component(&it, &c, &n)) {
        if (n == 2 && c[0] == '.' && c[1] == '.')
            return true;
    }
    return false;
}

/* Parses and checks the header at off; every byte it looks at lies inside [0, len). */
static int parse_entry(const uint8_t *base, size_t len, size_t off, struct raw_entry *r)
{
    if (off > len || len - off < HEADER_LEN)
        return -EINVAL;
    const uint8_t *h = base + off;
    bool with_checksum;
    if (memcmp(h, "070701", 6) == 0)
        with_checksum = false;
    else if (memcmp(h, "070702", 6) == 0)
        with_checksum = true;
    else
        return -EINVAL;

    uint32_t f[13]; /* ino mode uid gid nlink mtime filesize devmaj devmin rdevmaj rdevmin namesize
                       check */
    for (int i = 0; i < 13; i++) {
        if (!parse_hex8(h + 6 + 8 * i, &f[i]))
            return -EINVAL;
    }
    r->ino = f[0];
    r->mode = f[1];
    r->uid = f[2];
    r->gid = f[3];
    r->nlink = f[4];
    r->mtime = f[5];
    r->filesize = f[6];
    uint32_t namesize = f[11];

    size_t name_off = off + HEADER_LEN;
    if (namesize == 0 || namesize > len - name_off)
        return -EINVAL;
    r->name = (const char *)base + name_off;
    r->namelen = namesize - 1;
    if (r->name[r->namelen] != '\0')
        return -EINVAL;
    for (size_t i = 0; i < r->namelen; i++) {
        if (r->name[i] == '\0')
            return -EINVAL;
    }
    r->trailer = r->namelen == sizeof(TRAILER) - 1 && memcmp(r->name, TRAILER, r->namelen) == 0;

    size_t data_off = align4(name_off + namesize);
    if (r->trailer && r->filesize == 0) {
        /* Writers pad the trailer, but nothing follows it that needs the padding. */
        r->data = NULL;
        r->next = len;
        return 0;
    }
    if (data_off > len || r->filesize > len - data_off)
        return -EINVAL;
    r->data = base + data_off;
    r->next = align4(data_off + r->filesize);

    /* Writers (GNU cpio, the Linux kernel's reader) checksum regular files only. */
    if (with_checksum && (r->mode & CPIO_S_IFMT) == CPIO_S_IFREG) {
        uint32_t sum = 0;
        for (uint32_t i = 0; i < r->filesize; i++)
            sum += r->data[i];
        if (sum != f[12])
            return -EINVAL;
    }
    if (has_dotdot(r->name, r->namelen))
        return -EINVAL;
    return 0;
}

int cpio_open(struct cpio_archive *a, const void *base, size_t len)
{
    a->base = base;
    a->len = len;
    a->nentries = 0;
    if (len == 0)
        return 0;
    if (base == NULL)
        return -EINVAL;
    struct raw_entry r;
    size_t off = 0;
    size_t count = 0;
    for (;;) {
        if (parse_entry(base, len, off, &r) < 0)
            return -EINVAL;
        if (r.trailer)
            break;
        count++;
        off = r.next;
    }
    a->nentries = count;
    return 0;
}

/* Iterates over the entries before the trailer, in archive order (r holds each one). */
#define FOR_EACH_ENTRY(a, off, r)                                                                  \
    for (size_t off = 0;                                                                           \
         (a)->len != 0 && parse_entry((a)->base, (a)->len, off, (r)) == 0 && !(r)->trailer;        \
         off = (r)->next)

enum relation { UNRELATED, SAME, BELOW };

/*
 * How an archive name relates to the target path dir + "/" + child (child optional): the
 * same path, somewhere below it (then *sub is the name's next component), or neither.
 */
static enum relation relate(const struct raw_entry *r, const char *dir, const char *child,
                            size_t childlen, const char **sub, size_t *sublen)
{
    struct components name = {r->name, r->namelen};
    struct components target = {dir, strlen(dir)};
    bool child_pending = child != NULL;
    for (;;) {
        const char *t, *c;
        size_t tn, cn;
        bool have_target = next_component(&target, &t, &tn);
        if (!have_target && child_pending) {
            t = child;
            tn = childlen;
            child_pending = false;
            have_target = true;
        }
        bool have_name = next_component(&name, &c, &cn);
        if (!have_target) {
            if (!have_name)
                return SAME;
            *sub = c;
            *sublen = cn;
            return BELOW;
        }
        if (!have_name || cn != tn || memcmp(c, t, tn) != 0)
            return UNRELATED;
    }
}

static void fill_from_raw(struct cpio_entry *e, const struct raw_entry *r)
{
    e->mode = r->mode;
    e->ino = r->ino;
    e->mtime = r->mtime;
    e->nlink = r->nlink;
    e->size = r->filesize;
    e->data = r->data;
}

static void fill_implied_dir(struct cpio_entry *e)
{
    e->mode = CPIO_S_IFDIR | 0555;
    e->ino = 0;
    e->mtime = 0;
    e->nlink = 2;
    e->size = 0;
    e->data = NULL;
}

/* Finds dir + "/" + child: its last entry, else an implied directory. */
static int find_target(const struct cpio_archive *a, const char *dir, const char *child,
                       size_t childlen, struct cpio_entry *e)
{
    struct raw_entry r, found;
    bool have_entry = false, implied = false;
    const char *sub;
    size_t sublen;
    FOR_EACH_ENTRY(a, off, &r)
    {
        enum relation rel = relate(&r, dir, child, childlen, &sub, &sublen);
        if (rel == SAME) {
            found = r;
            have_entry = true;
        } else if (rel == BELOW) {
            implied = true;
        }
    }
    if (have_entry) {
        fill_from_raw(e, &found);
        return 0;
    }
    bool is_root = child == NULL && dir[0] == '/' && dir[1] == '\0';
    if (implied || is_root) {
        fill_implied_dir(e);
        return 0;
    }
    return -ENOENT;
}

int cpio_find(const struct cpio_archive *a, const char *path, struct cpio_entry *e)
{
    int rc = find_target(a, path, NULL, 0, e);
    if (rc == 0) {
        e->name = path;
        e->namelen = strlen(path);
    }
    return rc;
}

/* Whether an entry before offset `before` already has child name sub under dir. */
static bool child_seen_before(const struct cpio_archive *a, const char *dir, size_t before,
                              const char *sub, size_t sublen)
{
    struct raw_entry r;
    const char *other;
    size_t otherlen;
    FOR_EACH_ENTRY(a, off, &r)
    {
        if (off >= before)
            break;
        if (relate(&r, dir, NULL, 0, &other, &otherlen) == BELOW && otherlen == sublen &&
            memcmp(other, sub, sublen) == 0)
            return true;
    }
    return false;
}

int cpio_readdir(const struct cpio_archive *a, const char *dir, size_t *cookie,
                 struct cpio_entry *e)
{
    struct cpio_entry d;
    int rc = cpio_find(a, dir, &d);
    if (rc < 0)
        return rc;
    if ((d.mode & CPIO_S_IFMT) != CPIO_S_IFDIR)
        return -ENOTDIR;

    /* The cookie counts archive entries already looked at. */
    struct raw_entry r;
    size_t index = 0;
    FOR_EACH_ENTRY(a, off, &r)
    {
        if (index++ < *cookie)
            continue;
        const char *sub;
        size_t sublen;
        if (relate(&r, dir, NULL, 0, &sub, &sublen) != BELOW ||
            child_seen_before(a, dir, off, sub, sublen))
            continue;
        find_target(a, dir, sub, sublen, e);
        e->name = sub;
        e->namelen = sublen;
        *cookie = index;
        return 1;
    }
    *cookie = index;
    return 0;
}
