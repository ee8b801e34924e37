/* Boot configuration parser: splits the kernel command lines into kernel keys and app arguments. */
#include "atoll/cmdline.h"
#include "atoll/errno.h"
#include "atoll/klib.h"

#define NO_EQUALS ((size_t)-1)

struct parser {
    struct boot_config *cfg;
    size_t used;        /* bytes of cfg->storage in use */
    const char *source; /* "image cmdline" or "boot cmdline", for messages */
    char *err;
    size_t errlen;
};

/* One token, unquoted and unescaped, stored NUL-terminated in cfg->storage. */
struct token {
    char *text;
    size_t len;
    size_t equals;     /* offset of the first '=' not written with a backslash, or NO_EQUALS */
    bool has_escapes;  /* quotes or backslashes were used: "--" then is not the separator */
    size_t start_used; /* parser->used before the token, to give its storage back */
};

/* What a key handler gets: the token split at its first '='. */
struct key_use {
    const struct token *tok;
    const char *sub; /* for prefix keys: what follows the prefix, up to '=' */
    size_t sublen;
    const char *value; /* after '=', or NULL when there was none */
    bool keep_token;   /* set by handlers that keep pointers into the token */
};

enum key_kind {
    KEY_FLAG,   /* NAME, NAME=0 or NAME=1 */
    KEY_VALUE,  /* NAME=VALUE */
    KEY_PREFIX, /* NAME<sub>=VALUE, e.g. env.HOME=/ */
};

struct key_def {
    const char *name;
    enum key_kind kind;
    const char *usage; /* as listed in the unknown-key message; NULL: not listed */
    int (*handler)(struct parser *p, const struct key_def *def, struct key_use *use);
    size_t flag_offset; /* KEY_FLAG: offset of the bool in struct boot_config */
};

static int fail(struct parser *p, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, int rc, const char *fmt, ...)
{
    if (p->err == NULL || p->errlen == 0)
        return rc;
    int n = ksnprintf(p->err, p->errlen, "%s: ", p->source);
    if (n >= 0 && (size_t)n < p->errlen) {
        va_list ap;
        va_start(ap, fmt);
        kvsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    /* Tokens may hold escaped newlines or other control bytes: keep the message one line. */
    for (char *c = p->err; *c != '\0'; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    }
    return rc;
}

/* ---- Key handlers ---- */

static int set_flag(struct parser *p, const struct key_def *def, struct key_use *use)
{
    bool on;
    if (use->value == NULL || strcmp(use->value, "1") == 0)
        on = true;
    else if (strcmp(use->value, "0") == 0)
        on = false;
    else
        return fail(p, -EINVAL, "%s: flag '%s' takes no value other than =0 or =1", use->tok->text,
                    def->name);
    *(bool *)((char *)p->cfg + def->flag_offset) = on;
    return 0;
}

/* Parses "256K", "4M", "1G" or plain bytes; returns false on syntax error or overflow. */
static bool parse_size(const char *s, uint64_t *out)
{
    uint64_t n = 0;
    const char *c = s;
    if (*c < '0' || *c > '9')
        return false;
    for (; *c >= '0' && *c <= '9'; c++) {
        if (n > (UINT64_MAX - 9) / 10)
            return false;
        n = n * 10 + (uint64_t)(*c - '0');
    }
    unsigned shift = 0;
    switch (*c) {
    case '\0':
        break;
    case 'k':
    case 'K':
        shift = 10;
        break;
    case 'm':
    case 'M':
        shift = 20;
        break;
    case 'g':
    case 'G':
        shift = 30;
        break;
    default:
        return false;
    }
    if (shift != 0 && *++c != '\0')
        return false;
    if (n > (UINT64_MAX >> shift))
        return false;
    *out = n << shift;
    return true;
}

static int set_stack(struct parser *p, const struct key_def *def, struct key_use *use)
{
    (void)def;
    uint64_t size;
    if (use->value == NULL)
        return fail(p, -EINVAL, "%s: expected stack=SIZE, e.g. stack=1M", use->tok->text);
    if (!parse_size(use->value, &size))
        return fail(p, -EINVAL, "%s: expected a size like 256K or 4M", use->tok->text);
    if (size < CMDLINE_MIN_STACK || size > CMDLINE_MAX_STACK)
        return fail(p, -EINVAL, "%s: stack size must be between 16K and 1G", use->tok->text);
    p->cfg->stack_size = ALIGN_UP(size, PAGE_SIZE);
    return 0;
}

static int set_env(struct parser *p, const struct key_def *def, struct key_use *use)
{
    (void)def;
    struct boot_config *cfg = p->cfg;
    if (use->value == NULL)
        return fail(p, -EINVAL, "%s: expected env.NAME=VALUE", use->tok->text);
    if (use->sublen == 0)
        return fail(p, -EINVAL, "%s: empty environment variable name", use->tok->text);
    for (size_t i = 0; i < use->sublen; i++) {
        if (use->sub[i] == '=')
            return fail(p, -EINVAL, "%s: environment variable name contains '='", use->tok->text);
    }
    const char *entry = use->sub; /* "NAME=VALUE" lies inside the token */
    for (int i = 0; i < cfg->envc; i++) {
        if (strncmp(cfg->envp[i], entry, use->sublen) == 0 && cfg->envp[i][use->sublen] == '=') {
            cfg->envp[i] = entry;
            use->keep_token = true;
            return 0;
        }
    }
    if (cfg->envc >= CMDLINE_MAX_ENV)
        return fail(p, -E2BIG, "%s: too many environment variables (at most %d)", use->tok->text,
                    CMDLINE_MAX_ENV);
    cfg->envp[cfg->envc++] = entry;
    use->keep_token = true;
    return 0;
}

/* QEMU's microvm names each virtio-mmio transport this way; kept for the MMIO driver to parse. */
static int add_virtio_mmio(struct parser *p, const struct key_def *def, struct key_use *use)
{
    (void)def;
    struct boot_config *cfg = p->cfg;
    if (use->value == NULL || *use->value == '\0')
        return fail(p, -EINVAL, "%s: expected virtio_mmio.device=SIZE@ADDR:IRQ", use->tok->text);
    if (cfg->virtio_mmio_count >= CMDLINE_MAX_VIRTIO_MMIO)
        return fail(p, -E2BIG, "%s: too many virtio-mmio devices (at most %d)", use->tok->text,
                    CMDLINE_MAX_VIRTIO_MMIO);
    cfg->virtio_mmio[cfg->virtio_mmio_count++] = use->value;
    use->keep_token = true;
    return 0;
}

/* netN=, netN.mtu= (N = 0..7), gw= and route=: the shape of the key is checked here, the value
 * by the network member, which is the only one to use them. */
static int add_net_key(struct parser *p, const struct key_def *def, struct key_use *use)
{
    struct boot_config *cfg = p->cfg;
    if (def->kind == KEY_PREFIX &&
        !(use->sublen >= 1 && use->sub[0] >= '0' && use->sub[0] <= '7' &&
          (use->sublen == 1 || (use->sublen == 5 && memcmp(use->sub + 1, ".mtu", 4) == 0))))
        return fail(p, -EINVAL, "%s: expected netN=ADDR/PREFIX or netN.mtu=BYTES with N 0..7",
                    use->tok->text);
    if (use->value == NULL || *use->value == '\0')
        return fail(p, -EINVAL, "%s: expected a value after '='", use->tok->text);
    if (cfg->net_key_count >= CMDLINE_MAX_NET_KEYS)
        return fail(p, -E2BIG, "%s: too many network keys (at most %d)", use->tok->text,
                    CMDLINE_MAX_NET_KEYS);
    cfg->net_keys[cfg->net_key_count++] = use->tok->text;
    use->keep_token = true;
    return 0;
}

/* Every kernel key. A new key is one row here (and, for a new setting, a field in
 * struct boot_config). */
static const struct key_def key_table[] = {
    {"env.", KEY_PREFIX, "env.NAME=VALUE", set_env, 0},
    {"stack", KEY_VALUE, "stack=SIZE", set_stack, 0},
    {"bootstat", KEY_FLAG, "bootstat", set_flag, offsetof(struct boot_config, bootstat)},
    {"strace", KEY_FLAG, "strace", set_flag, offsetof(struct boot_config, strace)},
    {"quiet", KEY_FLAG, "quiet", set_flag, offsetof(struct boot_config, quiet)},
    {"netstat", KEY_FLAG, "netstat", set_flag, offsetof(struct boot_config, netstat)},
    {"net", KEY_PREFIX, "netN=ADDR/PREFIX, netN.mtu=BYTES", add_net_key, 0},
    {"gw", KEY_VALUE, "gw=ADDR", add_net_key, 0},
    {"route", KEY_VALUE, "route=DST/PREFIX,GW", add_net_key, 0},
    /* Written by QEMU, not by users: left out of the unknown-key message (NULL usage). */
    {"virtio_mmio.device", KEY_VALUE, NULL, add_virtio_mmio, 0},
};

static int unknown_key(struct parser *p, const struct token *tok, size_t keylen)
{
    char known[256];
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(key_table) && n < sizeof(known); i++) {
        if (key_table[i].usage == NULL)
            continue;
        int w = ksnprintf(known + n, sizeof(known) - n, "%s%s", n ? ", " : "", key_table[i].usage);
        n += w > 0 ? (size_t)w : 0;
    }
    return fail(p, -EINVAL, "unknown key '%.*s' (known: %s)", (int)keylen, tok->text, known);
}

static int apply_key(struct parser *p, const struct token *tok)
{
    size_t keylen = tok->equals == NO_EQUALS ? tok->len : tok->equals;
    struct key_use use = {
        .tok = tok,
        .sub = NULL,
        .sublen = 0,
        .value = tok->equals == NO_EQUALS ? NULL : tok->text + tok->equals + 1,
        .keep_token = false,
    };
    for (size_t i = 0; i < ARRAY_SIZE(key_table); i++) {
        const struct key_def *def = &key_table[i];
        size_t namelen = strlen(def->name);
        bool match;
        if (def->kind == KEY_PREFIX)
            match = keylen >= namelen && memcmp(tok->text, def->name, namelen) == 0;
        else
            match = keylen == namelen && memcmp(tok->text, def->name, namelen) == 0;
        if (!match)
            continue;
        use.sub = tok->text + namelen;
        use.sublen = keylen - namelen;
        int rc = def->handler(p, def, &use);
        if (rc == 0 && !use.keep_token)
            p->used = tok->start_used;
        return rc;
    }
    return unknown_key(p, tok, keylen);
}

/* ---- Tokenizer ---- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int store_char(struct parser *p, char c)
{
    if (p->used >= sizeof(p->cfg->storage))
        return fail(p, -E2BIG, "command line too long (more than %zu bytes of strings)",
                    sizeof(p->cfg->storage));
    p->cfg->storage[p->used++] = c;
    return 0;
}

/* Reads the next token from *cursor; returns 1 with a token, 0 at the end, or an error. */
static int next_token(struct parser *p, const char **cursor, struct token *tok)
{
    const char *c = *cursor;
    while (is_blank(*c))
        c++;
    if (*c == '\0') {
        *cursor = c;
        return 0;
    }

    tok->start_used = p->used;
    tok->text = p->cfg->storage + p->used;
    tok->equals = NO_EQUALS;
    tok->has_escapes = false;
    bool in_quotes = false;
    int rc;
    for (; *c != '\0' && (in_quotes || !is_blank(*c)); c++) {
        bool escaped = false;
        if (*c == '"') {
            in_quotes = !in_quotes;
            tok->has_escapes = true;
            continue;
        }
        if (*c == '\\') {
            if (c[1] == '\0')
                return fail(p, -EINVAL, "trailing backslash at the end of the command line");
            c++;
            escaped = true;
            tok->has_escapes = true;
        }
        if (*c == '=' && !escaped && tok->equals == NO_EQUALS)
            tok->equals = p->used - tok->start_used;
        if ((rc = store_char(p, *c)) < 0)
            return rc;
    }
    if (in_quotes)
        return fail(p, -EINVAL, "unterminated quote in the command line");
    if ((rc = store_char(p, '\0')) < 0)
        return rc;
    tok->len = p->used - tok->start_used - 1;
    *cursor = c;
    return 1;
}

static int add_arg(struct parser *p, const struct token *tok)
{
    struct boot_config *cfg = p->cfg;
    if (cfg->argc >= CMDLINE_MAX_ARGS)
        return fail(p, -E2BIG, "too many app arguments (at most %d)", CMDLINE_MAX_ARGS);
    cfg->argv[cfg->argc++] = tok->text;
    return 0;
}

static int parse_source(struct parser *p, const char *line, bool replaces_args)
{
    if (line == NULL)
        return 0;
    bool in_args = false;
    struct token tok;
    int rc;
    while ((rc = next_token(p, &line, &tok)) > 0) {
        if (!in_args && !tok.has_escapes && strcmp(tok.text, "--") == 0) {
            in_args = true;
            p->used = tok.start_used;
            if (replaces_args)
                p->cfg->argc = 0;
            continue;
        }
        rc = in_args ? add_arg(p, &tok) : apply_key(p, &tok);
        if (rc < 0)
            return rc;
    }
    return rc;
}

int boot_config_parse(struct boot_config *cfg, const char *image_default, const char *boot_time,
                      char *err, size_t errlen)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->stack_size = CMDLINE_DEFAULT_STACK;
    if (err != NULL && errlen > 0)
        err[0] = '\0';

    struct parser p = {
        .cfg = cfg, .used = 0, .source = "image cmdline", .err = err, .errlen = errlen};
    int rc = parse_source(&p, image_default, false);
    if (rc < 0)
        return rc;
    p.source = "boot cmdline";
    return parse_source(&p, boot_time, true);
}
