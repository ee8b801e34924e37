/* Loading a rule set: one *.rules file, or every *.rules file of a folder in name order, then
 * the whole-set checks (missing chains, unused sets, unreachable rules, routes). */
#include "load.h"
#include "parse_util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RULE_FILE_MAX (1 << 20)
#define MAX_FILES     16

static char file_names[MAX_FILES][256]; /* rules point at these for their messages */
static unsigned nfiles;

static char *read_text(const char *path, struct fw_diags *d)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fw_diag_add(d, path, 0, 0, 0, "check the path", "%s", strerror(errno));
        return NULL;
    }
    char *text = malloc(RULE_FILE_MAX + 1);
    size_t n = text ? fread(text, 1, RULE_FILE_MAX + 1, f) : 0;
    fclose(f);
    if (!text || n > RULE_FILE_MAX) {
        fw_diag_add(d, path, 0, 0, 0, "split it", "file larger than 1 MiB");
        free(text);
        return NULL;
    }
    text[n] = '\0';
    if (memchr(text, '\0', n)) {
        fw_diag_add(d, path, 0, 0, 0, "rule files are text", "NUL byte in the file");
        free(text);
        return NULL;
    }
    return text;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* The *.rules files of a folder, in name order, into file_names. */
static int list_folder(const char *dir, struct fw_diags *d)
{
    DIR *dh = opendir(dir);
    if (!dh) {
        fw_diag_add(d, dir, 0, 0, 0, "check the path", "%s", strerror(errno));
        return -1;
    }
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len <= 6 || strcmp(de->d_name + len - 6, ".rules") || de->d_name[0] == '.')
            continue;
        if (nfiles >= MAX_FILES) {
            fw_diag_add(d, dir, 0, 0, 0, "merge files", "more than %d rule files", MAX_FILES);
            break;
        }
        int n = snprintf(file_names[nfiles], sizeof(file_names[0]), "%s/%s", dir, de->d_name);
        if (n < 0 || (size_t)n >= sizeof(file_names[0])) {
            fw_diag_add(d, dir, 0, 0, 0, "use a shorter path", "path of %s too long", de->d_name);
            continue;
        }
        nfiles++;
    }
    closedir(dh);
    qsort(file_names, nfiles, sizeof(file_names[0]), by_name);
    if (!nfiles)
        fw_diag_add(d, dir, 0, 0, 0, "add a NAME.rules file", "no *.rules file in the folder");
    return nfiles ? 0 : -1;
}

unsigned fw_load(const char *path, struct firewall *fw, struct nf_engine *e, struct fw_diags *d)
{
    nfiles = 0;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (list_folder(path, d) != 0)
            return d->errors;
    } else {
        if (strlen(path) >= sizeof(file_names[0])) {
            fw_diag_add(d, "firewall", 0, 0, 0, "use a shorter path", "rule file path too long");
            return d->errors;
        }
        strcpy(file_names[nfiles++], path);
    }
    for (unsigned i = 0; i < nfiles; i++) {
        char *text = read_text(file_names[i], d);
        if (text) {
            fw_parse(file_names[i], text, &fw->rules, e, d);
            free(text);
        }
    }
    if (d->errors)
        return d->errors;
    const char *last = file_names[nfiles - 1];
    fw_finish(last, &fw->rules, d);
    fw_check_shadowed(&fw->rules, d);
    if (e->nifaces < 2)
        fw_diag_add(d, last, 1, 1, 0, "declare both: interface NAME address A.B.C.D/LEN",
                    "a firewall needs an outside and an inside interface");
    char msg[200];
    if (!d->errors && nf_engine_finish(e, msg, sizeof(msg)) != 0)
        fw_diag_add(d, last, 1, 1, 0, NULL, "%s", msg);
    return d->errors;
}

void fw_print_diags(const struct fw_diags *d, FILE *out)
{
    for (unsigned i = 0; i < d->count; i++) {
        const struct fw_diag *g = &d->items[i];
        fprintf(out, "%s:%u:%u: %s: %s\n", g->file, g->line, g->col,
                g->warning ? "warning" : "error", g->message);
        if (*g->hint)
            fprintf(out, "    hint: %s\n", g->hint);
    }
    if (d->count >= FW_MAX_DIAGS)
        fprintf(out, "(more problems not shown)\n");
}
