/* libFuzzer harness of the dns master-file parser: any bytes as a zone file; loading must end in
 * a zone or in one "file:line: message" error, never a crash or a leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../apps/dns/zone.h"

static char folder[64], path[96];

static void remove_folder(void)
{
    unlink(path);
    rmdir(folder);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A folder of its own, so that $INCLUDE finds nothing but the zone itself. */
    if (!path[0]) {
        snprintf(folder, sizeof(folder), "/tmp/fuzz-dns-zone-XXXXXX");
        if (!mkdtemp(folder))
            abort();
        snprintf(path, sizeof(path), "%s/z.zone", folder);
        atexit(remove_folder);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    struct db db;
    char err[4096];
    memset(&db, 0, sizeof(db));
    err[0] = 0;
    if (zone_load(&db, path, err, sizeof(err)) == 0 && db_finish(&db, err, sizeof(err)) < 0 &&
        !err[0])
        abort();
    db_free(&db);
    return 0;
}
