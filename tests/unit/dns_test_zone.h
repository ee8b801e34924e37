/* Helpers for the dns unit tests: master files written to a scratch folder and loaded. */
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../apps/dns/zone.h"

static char scratch_dir[256];

static inline void scratch_make(void)
{
    if (!scratch_dir[0]) {
        snprintf(scratch_dir, sizeof(scratch_dir), "/tmp/dns-unit-XXXXXX");
        if (!mkdtemp(scratch_dir))
            abort();
    }
}

/* Writes TEXT to scratch/NAME and returns the path (static storage, overwritten by each call). */
static inline const char *scratch_file(const char *name, const char *text)
{
    static char path[512];
    scratch_make();
    snprintf(path, sizeof(path), "%s/%s", scratch_dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
    return path;
}

/* Loads TEXT as scratch/z.zone into DB (zone_load then db_finish); returns 0 or -1 with ERR. */
static inline int load_zone_text(struct db *db, const char *text, char *err, size_t cap)
{
    const char *path = scratch_file("z.zone", text);
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", path);
    if (zone_load(db, copy, err, cap) < 0)
        return -1;
    return db_finish(db, err, cap);
}

/* The error text with the scratch folder replaced by "DIR", for comparisons. */
static inline const char *without_dir(const char *err)
{
    static char out[4096];
    const char *at = strstr(err, scratch_dir);
    if (!at || !scratch_dir[0]) {
        snprintf(out, sizeof(out), "%s", err);
        return out;
    }
    snprintf(out, sizeof(out), "%.*sDIR%s", (int)(at - err), err, at + strlen(scratch_dir));
    return out;
}

static inline void scratch_remove(void)
{
    char command[300];
    if (scratch_dir[0]) {
        snprintf(command, sizeof(command), "rm -rf %s", scratch_dir);
        if (system(command) != 0)
            fprintf(stderr, "could not remove %s\n", scratch_dir);
    }
}
