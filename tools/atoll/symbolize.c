/* Symbolization of crash reports: appends " <symbol+0xOFF> [app|libc|kernel]" to pc=0x... tokens.
 */
#include "symbolize.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define PC_PREFIX "pc=0x"
#define PC_DIGITS 16

void symbolizer_init(struct symbolizer *sym, symbolize_lookup_fn lookup, void *ctx)
{
    sym->lookup = lookup;
    sym->ctx = ctx;
    sym->in_report = false;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_word_char(char c)
{
    return is_hex(c) || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z') || c == '_';
}

/* Length of the line without a trailing carriage return. */
static size_t visible_length(const char *line, size_t len)
{
    return len && line[len - 1] == '\r' ? len - 1 : len;
}

/* Does a pc token start at line[i]? Then *addr is its value. */
static bool pc_token_at(const char *line, size_t len, size_t i, uint64_t *addr)
{
    size_t prefix = strlen(PC_PREFIX);
    if (len - i < prefix + PC_DIGITS || memcmp(line + i, PC_PREFIX, prefix) != 0)
        return false;
    if (i > 0 && is_word_char(line[i - 1]))
        return false;
    size_t end = i + prefix + PC_DIGITS;
    if (end < len && is_word_char(line[end]))
        return false;
    uint64_t value = 0;
    for (size_t j = i + prefix; j < end; j++) {
        char c = line[j];
        if (!is_hex(c))
            return false;
        unsigned digit = c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
        value = value << 4 | digit;
    }
    *addr = value;
    return true;
}

char *symbolize_line(struct symbolizer *sym, const char *line, size_t len, size_t *out_len)
{
    size_t visible = visible_length(line, len);
    size_t start_len = strlen(CRASH_REPORT_START);
    if (visible >= start_len && memcmp(line, CRASH_REPORT_START, start_len) == 0)
        sym->in_report = true;
    bool active = sym->in_report && sym->lookup;
    if (sym->in_report && visible == strlen(CRASH_REPORT_END) &&
        memcmp(line, CRASH_REPORT_END, visible) == 0)
        sym->in_report = false;

    size_t cap = len + 1, used = 0;
    char *out = xmalloc(cap);
    for (size_t i = 0; i < len;) {
        uint64_t addr;
        char note[512];
        if (active && pc_token_at(line, len, i, &addr) &&
            sym->lookup(sym->ctx, addr, note, sizeof(note))) {
            size_t token = strlen(PC_PREFIX) + PC_DIGITS, note_len = strlen(note);
            if (used + token + 1 + note_len + (len - i) + 1 > cap) {
                cap = used + token + 1 + note_len + (len - i) + 1 + 256;
                out = xrealloc(out, cap);
            }
            memcpy(out + used, line + i, token);
            used += token;
            out[used++] = ' ';
            memcpy(out + used, note, note_len);
            used += note_len;
            i += token;
            continue;
        }
        if (used + 2 > cap)
            out = xrealloc(out, cap *= 2);
        out[used++] = line[i++];
    }
    out[used] = '\0';
    *out_len = used;
    return out;
}

void elf_annotator_init(struct elf_annotator *annotator, const struct elf_file *elf)
{
    memset(annotator, 0, sizeof(*annotator));
    annotator->elf = elf;
    if (!elf_symbol_value(elf, "__kernel_text_start", &annotator->kernel_start) ||
        !elf_symbol_value(elf, "__kernel_text_end", &annotator->kernel_end))
        annotator->kernel_start = annotator->kernel_end = 0;
    if (!elf_symbol_value(elf, "__libc_text_start", &annotator->libc_start) ||
        !elf_symbol_value(elf, "__libc_text_end", &annotator->libc_end))
        annotator->libc_start = annotator->libc_end = 0;
    if (!elf_section_range(elf, ".text", &annotator->text_start, &annotator->text_end))
        annotator->text_start = annotator->text_end = 0;
}

static const char *region_of(const struct elf_annotator *annotator, uint64_t addr)
{
    if (addr >= annotator->kernel_start && addr < annotator->kernel_end)
        return "kernel";
    if (addr >= annotator->libc_start && addr < annotator->libc_end)
        return "libc";
    if (addr >= annotator->text_start && addr < annotator->text_end)
        return "app";
    return NULL;
}

bool elf_annotate(void *ctx, uint64_t addr, char *out, size_t outlen)
{
    const struct elf_annotator *annotator = ctx;
    const char *name = NULL;
    uint64_t offset = 0;
    bool found = elf_symbol_at(annotator->elf, addr, &name, &offset);
    const char *region = region_of(annotator, addr);
    if (!found && !region)
        return false;
    int n;
    if (found && region)
        n = snprintf(out, outlen, "<%s+0x%" PRIx64 "> [%s]", name, offset, region);
    else if (found)
        n = snprintf(out, outlen, "<%s+0x%" PRIx64 ">", name, offset);
    else
        n = snprintf(out, outlen, "<?> [%s]", region);
    return n > 0 && (size_t)n < outlen;
}
