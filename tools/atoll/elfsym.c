/* Reading of 64-bit ELF files: symbols by name and by address, load extent, Atoll's note. */
#include "elfsym.h"
#include "util.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A symbol that may hold code, kept sorted for address lookups. */
struct code_symbol {
    const char *name;
    uint64_t value;
    uint64_t size;
    uint16_t shndx;
    uint8_t rank; /* lower is preferred among symbols at one address */
};

struct elf_file {
    uint8_t *data;
    size_t size;
    const Elf64_Ehdr *ehdr;
    const Elf64_Shdr *shdrs; /* NULL when the file has no section headers */
    size_t shnum;
    const char *shstrtab;
    size_t shstrtab_size;
    const Elf64_Sym *syms;
    size_t nsyms;
    const char *strtab;
    size_t strtab_size;
    struct code_symbol *code; /* sorted by value, then rank */
    size_t ncode;
};

static int fail(char *err, size_t errlen, const char *label, const char *what)
{
    snprintf(err, errlen, "%s: %s", label, what);
    return -1;
}

static bool range_ok(const struct elf_file *elf, uint64_t offset, uint64_t len)
{
    return offset <= elf->size && len <= elf->size - offset;
}

/* Returns the NUL-terminated string at `offset` of a string table, or NULL. */
static const char *table_string(const char *table, size_t table_size, uint64_t offset)
{
    if (!table || offset >= table_size)
        return NULL;
    if (!memchr(table + offset, '\0', table_size - offset))
        return NULL;
    return table + offset;
}

static const Elf64_Shdr *section(const struct elf_file *elf, size_t index)
{
    return index < elf->shnum ? &elf->shdrs[index] : NULL;
}

static bool section_data_ok(const struct elf_file *elf, const Elf64_Shdr *sh)
{
    return sh->sh_type == SHT_NOBITS || range_ok(elf, sh->sh_offset, sh->sh_size);
}

static const Elf64_Phdr *program_headers(const struct elf_file *elf, size_t *count)
{
    *count = elf->ehdr->e_phnum;
    return *count ? (const Elf64_Phdr *)(elf->data + elf->ehdr->e_phoff) : NULL;
}

static int compare_code(const void *a, const void *b)
{
    const struct code_symbol *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Sized functions first, then sized labels, then unsized ones; globals before locals. */
static uint8_t symbol_rank(const Elf64_Sym *sym)
{
    uint8_t rank = 0;
    if (sym->st_size == 0)
        rank += 4;
    if (ELF64_ST_TYPE(sym->st_info) != STT_FUNC)
        rank += 2;
    if (ELF64_ST_BIND(sym->st_info) != STB_GLOBAL)
        rank += 1;
    return rank;
}

static void index_code_symbols(struct elf_file *elf)
{
    elf->code = xmalloc(elf->nsyms * sizeof(*elf->code));
    for (size_t i = 0; i < elf->nsyms; i++) {
        const Elf64_Sym *sym = &elf->syms[i];
        unsigned type = ELF64_ST_TYPE(sym->st_info);
        if (type != STT_FUNC && type != STT_NOTYPE)
            continue;
        if (sym->st_shndx == SHN_UNDEF || sym->st_shndx >= SHN_LORESERVE)
            continue;
        const char *name = table_string(elf->strtab, elf->strtab_size, sym->st_name);
        const Elf64_Shdr *sh = section(elf, sym->st_shndx);
        if (!name || !*name || !sh || !(sh->sh_flags & SHF_EXECINSTR))
            continue;
        elf->code[elf->ncode++] = (struct code_symbol){
            .name = name,
            .value = sym->st_value,
            .size = sym->st_size,
            .shndx = sym->st_shndx,
            .rank = symbol_rank(sym),
        };
    }
    qsort(elf->code, elf->ncode, sizeof(*elf->code), compare_code);
}

static int load_sections(struct elf_file *elf, const char *label, char *err, size_t errlen)
{
    const Elf64_Ehdr *eh = elf->ehdr;
    if (eh->e_shoff == 0 || eh->e_shnum == 0)
        return 0;
    if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
        !range_ok(elf, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)) ||
        eh->e_shoff % 8 != 0)
        return fail(err, errlen, label, "malformed or truncated section headers");
    elf->shdrs = (const Elf64_Shdr *)(elf->data + eh->e_shoff);
    elf->shnum = eh->e_shnum;
    for (size_t i = 0; i < elf->shnum; i++) {
        if (!section_data_ok(elf, &elf->shdrs[i]))
            return fail(err, errlen, label, "a section lies outside the file (truncated?)");
    }
    const Elf64_Shdr *names = section(elf, eh->e_shstrndx);
    if (names && names->sh_type == SHT_STRTAB) {
        elf->shstrtab = (const char *)elf->data + names->sh_offset;
        elf->shstrtab_size = names->sh_size;
    }
    const Elf64_Shdr *symtab = NULL;
    for (size_t i = 0; i < elf->shnum; i++) {
        if (elf->shdrs[i].sh_type == SHT_SYMTAB)
            symtab = &elf->shdrs[i];
    }
    if (!symtab) {
        for (size_t i = 0; i < elf->shnum; i++) {
            if (elf->shdrs[i].sh_type == SHT_DYNSYM)
                symtab = &elf->shdrs[i];
        }
    }
    if (!symtab)
        return 0;
    const Elf64_Shdr *strtab = section(elf, symtab->sh_link);
    if (symtab->sh_entsize != sizeof(Elf64_Sym) || symtab->sh_offset % 8 != 0 || !strtab ||
        strtab->sh_type != SHT_STRTAB)
        return fail(err, errlen, label, "malformed symbol table");
    elf->syms = (const Elf64_Sym *)(elf->data + symtab->sh_offset);
    elf->nsyms = symtab->sh_size / sizeof(Elf64_Sym);
    elf->strtab = (const char *)elf->data + strtab->sh_offset;
    elf->strtab_size = strtab->sh_size;
    index_code_symbols(elf);
    return 0;
}

static int check_header(struct elf_file *elf, const char *label, char *err, size_t errlen)
{
    if (elf->size < 4 || memcmp(elf->data, ELFMAG, SELFMAG) != 0)
        return fail(err, errlen, label, "not an ELF file");
    if (elf->size < sizeof(Elf64_Ehdr) || elf->data[EI_CLASS] != ELFCLASS64 ||
        elf->data[EI_DATA] != ELFDATA2LSB)
        return fail(err, errlen, label, "not a 64-bit little-endian ELF file");
    elf->ehdr = (const Elf64_Ehdr *)elf->data;
    const Elf64_Ehdr *eh = elf->ehdr;
    if (eh->e_phnum && (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff % 8 != 0 ||
                        !range_ok(elf, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr))))
        return fail(err, errlen, label, "malformed or truncated program headers");
    return 0;
}

int elf_open_memory(const void *data, size_t size, const char *label, struct elf_file **out,
                    char *err, size_t errlen)
{
    struct elf_file *elf = xmalloc(sizeof(*elf));
    memset(elf, 0, sizeof(*elf));
    /* A private copy, so that headers are naturally aligned whatever the caller passed. */
    elf->data = xmalloc(size + 1);
    if (size)
        memcpy(elf->data, data, size);
    elf->size = size;
    if (check_header(elf, label, err, errlen) != 0 || load_sections(elf, label, err, errlen) != 0) {
        elf_close(elf);
        return -1;
    }
    *out = elf;
    return 0;
}

int elf_open(const char *path, struct elf_file **out, char *err, size_t errlen)
{
    size_t size;
    char *data = read_whole_file(path, &size);
    if (!data) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    int rc = elf_open_memory(data, size, path, out, err, errlen);
    free(data);
    return rc;
}

void elf_close(struct elf_file *elf)
{
    if (!elf)
        return;
    free(elf->code);
    free(elf->data);
    free(elf);
}

bool elf_symbol_value(const struct elf_file *elf, const char *name, uint64_t *value)
{
    for (size_t i = 0; i < elf->nsyms; i++) {
        const Elf64_Sym *sym = &elf->syms[i];
        if (sym->st_shndx == SHN_UNDEF)
            continue;
        const char *sym_name = table_string(elf->strtab, elf->strtab_size, sym->st_name);
        if (sym_name && strcmp(sym_name, name) == 0) {
            *value = sym->st_value;
            return true;
        }
    }
    return false;
}

bool elf_symbol_at(const struct elf_file *elf, uint64_t addr, const char **name, uint64_t *offset)
{
    /* Find the last symbol that starts at or below addr, then the preferred one at that address. */
    size_t lo = 0, hi = elf->ncode;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (elf->code[mid].value <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return false;
    size_t best = lo - 1;
    while (best > 0 && elf->code[best - 1].value == elf->code[best].value)
        best--;
    const struct code_symbol *sym = &elf->code[best];
    if (sym->size) {
        if (addr - sym->value >= sym->size)
            return false;
    } else {
        const Elf64_Shdr *sh = section(elf, sym->shndx);
        if (!sh || addr < sh->sh_addr || addr - sh->sh_addr >= sh->sh_size)
            return false;
    }
    *name = sym->name;
    *offset = addr - sym->value;
    return true;
}

bool elf_section_range(const struct elf_file *elf, const char *name, uint64_t *start, uint64_t *end)
{
    for (size_t i = 0; i < elf->shnum; i++) {
        const Elf64_Shdr *sh = &elf->shdrs[i];
        const char *sh_name = table_string(elf->shstrtab, elf->shstrtab_size, sh->sh_name);
        if (sh_name && strcmp(sh_name, name) == 0) {
            *start = sh->sh_addr;
            *end = sh->sh_addr + sh->sh_size;
            return true;
        }
    }
    return false;
}

uint64_t elf_load_end(const struct elf_file *elf)
{
    uint64_t end = 0;
    size_t phnum;
    const Elf64_Phdr *ph = program_headers(elf, &phnum);
    for (size_t i = 0; i < phnum; i++) {
        if (ph[i].p_type != PT_LOAD)
            continue;
        uint64_t seg_end = ph[i].p_paddr + ph[i].p_memsz;
        if (seg_end < ph[i].p_paddr)
            seg_end = UINT64_MAX;
        if (seg_end > end)
            end = seg_end;
    }
    return end;
}

/* Looks for the Atoll note among the notes in data[offset, offset+len). */
static bool find_atoll_note(const struct elf_file *elf, uint64_t offset, uint64_t len,
                            uint64_t *memory)
{
    if (!range_ok(elf, offset, len))
        return false;
    const uint8_t *p = elf->data + offset, *end = p + len;
    while ((size_t)(end - p) >= 12) {
        uint32_t namesz, descsz, type;
        memcpy(&namesz, p, 4);
        memcpy(&descsz, p + 4, 4);
        memcpy(&type, p + 8, 4);
        p += 12;
        uint64_t name_span = round_up(namesz, 4), desc_span = round_up(descsz, 4);
        if (name_span > (uint64_t)(end - p) || desc_span > (uint64_t)(end - p) - name_span)
            return false;
        if (namesz == 6 && memcmp(p, "Atoll", 6) == 0 && type == 1 && descsz == 8) {
            memcpy(memory, p + name_span, 8);
            return true;
        }
        p += name_span + desc_span;
    }
    return false;
}

bool elf_atoll_note(const struct elf_file *elf, uint64_t *memory)
{
    for (size_t i = 0; i < elf->shnum; i++) {
        const Elf64_Shdr *sh = &elf->shdrs[i];
        if (sh->sh_type == SHT_NOTE && find_atoll_note(elf, sh->sh_offset, sh->sh_size, memory))
            return true;
    }
    size_t phnum;
    const Elf64_Phdr *ph = program_headers(elf, &phnum);
    for (size_t i = 0; i < phnum; i++) {
        if (ph[i].p_type == PT_NOTE && find_atoll_note(elf, ph[i].p_offset, ph[i].p_filesz, memory))
            return true;
    }
    return false;
}

void elf_for_each_symbol(const struct elf_file *elf,
                         void (*fn)(void *ctx, const char *name, bool defined), void *ctx)
{
    for (size_t i = 0; i < elf->nsyms; i++) {
        const Elf64_Sym *sym = &elf->syms[i];
        const char *name = table_string(elf->strtab, elf->strtab_size, sym->st_name);
        if (name && *name)
            fn(ctx, name, sym->st_shndx != SHN_UNDEF);
    }
}
