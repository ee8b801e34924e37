/* dns: loads an RFC 1035 master file ($ORIGIN, $TTL, $INCLUDE, records) into the database. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone.h"

#define ZONE_MAX_FILE_BYTES    (64u << 20)
#define ZONE_MAX_INCLUDE_DEPTH 8

struct load {
    struct db *db;
    int zone;                   /* -1 until the origin is known */
    uint8_t apex[DNS_NAME_MAX]; /* the zone's origin */
    uint8_t last_owner[DNS_NAME_MAX];
    int have_last_owner;
    uint32_t default_ttl, last_ttl;
    int have_default_ttl, have_last_ttl;
    char folder[4096]; /* the top file's folder: $INCLUDE stays inside it */
    char *err;
    size_t err_cap;
    const char *kept_file; /* the db's copy of the name of the file being read */
    uint8_t rdata[65536];
    struct token tokens[ZONE_MAX_TOKENS];
};

static int error_at(struct load *ld, const char *file, uint32_t line, const char *what)
{
    snprintf(ld->err, ld->err_cap, "%s:%u: %s", file, line, what);
    return -1;
}

static char *read_file(const char *path, size_t *len, const char **why)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *why = strerror(errno);
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *data = malloc(cap);
    while (data) {
        size_t got = fread(data + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        if (cap >= ZONE_MAX_FILE_BYTES) {
            *why = "file larger than 64 MiB";
            free(data);
            data = NULL;
            break;
        }
        char *grown = realloc(data, cap * 2);
        if (!grown)
            free(data);
        data = grown;
        cap *= 2;
    }
    if (!data && !*why)
        *why = "out of memory";
    if (data && ferror(f)) {
        *why = strerror(errno);
        free(data);
        data = NULL;
    }
    fclose(f);
    *len = n;
    return data;
}

static int same_word(const struct token *t, const char *word)
{
    size_t n = strlen(word);
    if (t->len != n || t->quoted)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = t->text[i] >= 'a' && t->text[i] <= 'z' ? (char)(t->text[i] - 32) : t->text[i];
        if (c != word[i])
            return 0;
    }
    return 1;
}

static int parse_name(struct load *ld, const char *file, const struct token *t,
                      const uint8_t *origin, uint8_t *out)
{
    const char *why = NULL;
    char what[512];
    if (!name_from_text(t->text, t->len, origin, out, &why)) {
        snprintf(what, sizeof(what), "bad name '%.*s': %s", (int)(t->len > 300 ? 300 : t->len),
                 t->text, why);
        return error_at(ld, file, t->line, what);
    }
    return 0;
}

static int load_file(struct load *ld, const char *path, const uint8_t *start_origin, int depth);

static int include_file(struct load *ld, const char *file, const struct token *t, int count,
                        const uint8_t *origin, int depth)
{
    if (count < 2 || count > 3)
        return error_at(ld, file, t[0].line, "$INCLUDE needs a file name and at most an origin");
    char name[1024];
    if (t[1].len >= sizeof(name))
        return error_at(ld, file, t[0].line, "$INCLUDE file name longer than 1023 bytes");
    memcpy(name, t[1].text, t[1].len);
    name[t[1].len] = 0;
    /* Only names inside the zone folder: no absolute path, no ".." component. */
    int escapes = name[0] == '/' || strcmp(name, "..") == 0 || strncmp(name, "../", 3) == 0 ||
                  strstr(name, "/../") != NULL ||
                  (t[1].len >= 3 && strcmp(name + t[1].len - 3, "/..") == 0);
    if (escapes)
        return error_at(ld, file, t[0].line,
                        "$INCLUDE file must be inside the zone folder (no absolute path, no '..')");
    if (depth >= ZONE_MAX_INCLUDE_DEPTH)
        return error_at(ld, file, t[0].line, "$INCLUDE nested more than 8 deep");
    uint8_t include_origin[DNS_NAME_MAX];
    const uint8_t *use = origin;
    if (count == 3) {
        if (parse_name(ld, file, &t[2], origin, include_origin) < 0)
            return -1;
        use = include_origin;
    }
    char path[8192];
    snprintf(path, sizeof(path), "%s/%s", ld->folder, name);
    /* The included file may change the origin and TTL for itself only (RFC 1035 5.1). */
    uint32_t saved_default = ld->default_ttl;
    int saved_have_default = ld->have_default_ttl;
    int r = load_file(ld, path, use, depth + 1);
    if (r == -2) {
        char what[1200];
        snprintf(what, sizeof(what), "$INCLUDE %s: cannot open it", name);
        return error_at(ld, file, t[0].line, what);
    }
    ld->default_ttl = saved_default;
    ld->have_default_ttl = saved_have_default;
    return r;
}

static int start_zone(struct load *ld, const char *file, uint32_t line, const uint8_t *origin)
{
    ld->zone = db_add_zone(ld->db, origin);
    if (ld->zone < 0) {
        char text[DNS_NAME_MAX * 4 + 2], what[1200];
        name_to_text(origin, text, sizeof(text));
        snprintf(what, sizeof(what), "zone %s is loaded twice (or more than 256 zones)", text);
        return error_at(ld, file, line, what);
    }
    memcpy(ld->apex, origin, name_wire_len(origin));
    return 0;
}

static int record(struct load *ld, const char *file, const struct token *t, int count,
                  int blank_owner, const uint8_t *origin)
{
    uint8_t owner[DNS_NAME_MAX];
    char what[2400];
    int i = 0;
    uint32_t line = t[0].line;
    if (blank_owner) {
        if (!ld->have_last_owner)
            return error_at(ld, file, line,
                            "record without an owner name (the first record must name one)");
        memcpy(owner, ld->last_owner, name_wire_len(ld->last_owner));
    } else {
        if (parse_name(ld, file, &t[0], origin, owner) < 0)
            return -1;
        i = 1;
    }
    uint32_t ttl = 0;
    int have_ttl = 0, have_class = 0;
    while (i < count && (!have_ttl || !have_class)) {
        const struct token *f = &t[i];
        if (!have_ttl && !f->quoted && f->len && f->text[0] >= '0' && f->text[0] <= '9') {
            if (ttl_from_text(f->text, f->len, &ttl) < 0) {
                snprintf(what, sizeof(what),
                         "bad TTL '%.*s' (seconds up to 2147483647, or units like 1h30m)",
                         (int)(f->len > 100 ? 100 : f->len), f->text);
                return error_at(ld, file, f->line, what);
            }
            have_ttl = 1;
        } else if (!have_class && same_word(f, "IN")) {
            have_class = 1;
        } else if (!have_class &&
                   (same_word(f, "CH") || same_word(f, "HS") || same_word(f, "CS") ||
                    (f->len > 5 && same_word(&(struct token){f->text, 5, 0, 0}, "CLASS")))) {
            snprintf(what, sizeof(what), "class %.*s is not supported (only IN)", (int)f->len,
                     f->text);
            return error_at(ld, file, f->line, what);
        } else {
            break;
        }
        i++;
    }
    if (i >= count)
        return error_at(ld, file, line, "record without a type");
    int type = type_from_text(t[i].text, t[i].len);
    if (type < 0 || t[i].quoted) {
        snprintf(what, sizeof(what), "unknown type '%.*s' (use TYPEnnn and \\# for others)",
                 (int)(t[i].len > 100 ? 100 : t[i].len), t[i].text);
        return error_at(ld, file, t[i].line, what);
    }
    if (type == T_OPT || type == T_ANY || type == T_AXFR || type == T_IXFR || type == 0 ||
        type == T_MAILA || type == T_MAILB) {
        snprintf(what, sizeof(what), "type %.*s cannot appear in a zone", (int)t[i].len, t[i].text);
        return error_at(ld, file, t[i].line, what);
    }
    i++;
    if (!have_ttl) {
        if (ld->have_default_ttl)
            ttl = ld->default_ttl;
        else if (ld->have_last_ttl)
            ttl = ld->last_ttl;
        else
            return error_at(ld, file, line, "record without a TTL (add a $TTL line or a TTL)");
    } else {
        ld->last_ttl = ttl;
        ld->have_last_ttl = 1;
    }
    char why[600];
    int len =
        rdata_from_text((uint16_t)type, t + i, count - i, origin, ld->rdata, why, sizeof(why));
    if (len < 0) {
        snprintf(what, sizeof(what), "%.*s record: %s", (int)t[i - 1].len, t[i - 1].text, why);
        return error_at(ld, file, line, what);
    }
    if (ld->zone < 0) {
        if (type != T_SOA)
            return error_at(
                ld, file, line,
                "the zone's origin is unknown: start with $ORIGIN or with the SOA record");
        if (start_zone(ld, file, line, owner) < 0)
            return -1;
    }
    if (!name_is_below_or_equal(owner, ld->apex)) {
        char owner_text[DNS_NAME_MAX * 4 + 2];
        name_to_text(owner, owner_text, sizeof(owner_text));
        snprintf(what, sizeof(what), "%s is outside the zone %s", owner_text,
                 ld->db->zones[ld->zone].origin_text);
        return error_at(ld, file, line, what);
    }
    memcpy(ld->last_owner, owner, name_wire_len(owner));
    ld->have_last_owner = 1;
    /* One kept copy of the file name per file, for db_finish's messages. */
    if (!ld->kept_file || strcmp(ld->kept_file, file) != 0)
        ld->kept_file = db_keep_file_name(ld->db, file);
    const char *kept = ld->kept_file;
    if (!kept || db_add_record(ld->db, ld->zone, owner, (uint16_t)type, ttl, ld->rdata, (size_t)len,
                               kept, line) < 0)
        return error_at(ld, file, line, "out of memory or more than 4 million records");
    return 0;
}

/* Returns 0, -1 with the error written, or -2 when the file cannot be opened. */
static int load_file(struct load *ld, const char *path, const uint8_t *start_origin, int depth)
{
    const char *why = NULL;
    size_t len;
    char *data = read_file(path, &len, &why);
    if (!data) {
        snprintf(ld->err, ld->err_cap, "%s: cannot read it: %s", path, why);
        return depth > 0 ? -2 : -1;
    }
    uint8_t origin[DNS_NAME_MAX];
    int have_origin = start_origin != NULL;
    if (have_origin)
        memcpy(origin, start_origin, name_wire_len(start_origin));
    struct lexer lx = {.data = data, .len = len, .line = 1};
    struct token *t = malloc(sizeof(struct token) * ZONE_MAX_TOKENS);
    int result = t ? 0 : error_at(ld, path, 1, "out of memory");
    while (result == 0) {
        int blank_owner;
        const char *lex_err = NULL;
        uint32_t err_line = 0;
        int count = lex_entry(&lx, t, &blank_owner, &lex_err, &err_line);
        if (count == 0)
            break;
        if (count < 0) {
            result = error_at(ld, path, err_line, lex_err);
            break;
        }
        if (!blank_owner && !t[0].quoted && t[0].len > 0 && t[0].text[0] == '$') {
            if (same_word(&t[0], "$ORIGIN")) {
                if (count != 2) {
                    result = error_at(ld, path, t[0].line, "$ORIGIN needs exactly one name");
                } else if (t[1].len == 0 || t[1].text[t[1].len - 1] != '.' ||
                           (t[1].len >= 2 && t[1].text[t[1].len - 2] == '\\')) {
                    result = error_at(ld, path, t[0].line,
                                      "$ORIGIN needs an absolute name (ending with a dot)");
                } else if ((result = parse_name(ld, path, &t[1], NULL, origin)) == 0) {
                    have_origin = 1;
                    if (ld->zone < 0)
                        result = start_zone(ld, path, t[0].line, origin);
                }
            } else if (same_word(&t[0], "$TTL")) {
                if (count != 2 || ttl_from_text(t[1].text, t[1].len, &ld->default_ttl) < 0)
                    result =
                        error_at(ld, path, t[0].line,
                                 "$TTL needs one TTL (seconds up to 2147483647, or units like 1h)");
                else
                    ld->have_default_ttl = 1;
            } else if (same_word(&t[0], "$INCLUDE")) {
                result = include_file(ld, path, t, count, have_origin ? origin : NULL, depth);
            } else {
                char what[200];
                snprintf(what, sizeof(what),
                         "unknown directive %.*s (only $ORIGIN, $TTL, $INCLUDE)",
                         (int)(t[0].len > 100 ? 100 : t[0].len), t[0].text);
                result = error_at(ld, path, t[0].line, what);
            }
            continue;
        }
        result = record(ld, path, t, count, blank_owner, have_origin ? origin : NULL);
        if (result == 0 && !have_origin && ld->zone >= 0) {
            /* A zone begun by its SOA takes the SOA's owner as its origin. */
            memcpy(origin, ld->apex, name_wire_len(ld->apex));
            have_origin = 1;
        }
    }
    free(t);
    free(data);
    return result;
}

int zone_load(struct db *db, const char *path, char *err, size_t err_cap)
{
    struct load *ld = calloc(1, sizeof(*ld));
    if (!ld) {
        snprintf(err, err_cap, "%s: out of memory", path);
        return -1;
    }
    ld->db = db;
    ld->zone = -1;
    ld->err = err;
    ld->err_cap = err_cap;
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(ld->folder, sizeof(ld->folder), ".");
    else
        snprintf(ld->folder, sizeof(ld->folder), "%.*s", (int)(slash == path ? 1 : slash - path),
                 path);
    int r = load_file(ld, path, NULL, 0);
    if (r == 0 && ld->zone < 0)
        r = error_at(ld, path, 1, "no records: a zone needs at least its SOA record");
    free(ld);
    return r < 0 ? -1 : 0;
}
