/* Symbolization of crash reports: appends " <symbol+0xOFF> [app|libc|kernel]" to pc=0x... tokens.
 */
#ifndef ATOLL_TOOL_SYMBOLIZE_H
#define ATOLL_TOOL_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elfsym.h"

/* Writes the annotation of `addr` (e.g. "<main+0x1a> [app]") into `out`; false when unknown. */
typedef bool (*symbolize_lookup_fn)(void *ctx, uint64_t addr, char *out, size_t outlen);

#define CRASH_REPORT_START "atoll: crash:"
#define CRASH_REPORT_END   "atoll: end of crash report"

struct symbolizer {
    symbolize_lookup_fn lookup; /* NULL: lines pass unchanged */
    void *ctx;
    bool in_report; /* between the start and end lines of a crash report */
};

void symbolizer_init(struct symbolizer *sym, symbolize_lookup_fn lookup, void *ctx);

/* Rewrites one console line (given without its newline). Inside a crash report (its first and
 * last lines included) every token pc=0x<16 hex digits> gets its annotation appended. Returns a
 * new NUL-terminated string and its length in *out_len. */
char *symbolize_line(struct symbolizer *sym, const char *line, size_t len, size_t *out_len);

/* Looks addresses up in an image's symbols ELF; the regions come from the linker's markers
 * __kernel_text_start/_end and __libc_text_start/_end; the rest of .text is the app's. */
struct elf_annotator {
    const struct elf_file *elf;
    uint64_t kernel_start, kernel_end;
    uint64_t libc_start, libc_end;
    uint64_t text_start, text_end;
};

void elf_annotator_init(struct elf_annotator *annotator, const struct elf_file *elf);
/* A symbolize_lookup_fn; ctx is a struct elf_annotator. */
bool elf_annotate(void *ctx, uint64_t addr, char *out, size_t outlen);

#endif
