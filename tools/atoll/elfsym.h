/* Reading of 64-bit ELF files: symbols by name and by address, load extent, Atoll's note. */
#ifndef ATOLL_TOOL_ELFSYM_H
#define ATOLL_TOOL_ELFSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_file;

/* Reads and checks `path` (a 64-bit little-endian ELF of any type). Returns 0, or -1 with a
 * one-line reason in `err` ("not an ELF file", "truncated section headers", ...). */
int elf_open(const char *path, struct elf_file **out, char *err, size_t errlen);
/* The same over a copy of an in-memory file (`label` names it in errors). */
int elf_open_memory(const void *data, size_t size, const char *label, struct elf_file **out,
                    char *err, size_t errlen);
void elf_close(struct elf_file *elf);

/* Value of the defined symbol `name`. */
bool elf_symbol_value(const struct elf_file *elf, const char *name, uint64_t *value);

/* The function (or code label) that holds `addr`: a sized symbol holds [value, value+size); a
 * symbol without size (hand-written assembly) holds everything up to the next symbol in its
 * section. Returns false for addresses between or outside functions. */
bool elf_symbol_at(const struct elf_file *elf, uint64_t addr, const char **name, uint64_t *offset);

/* Address range of the section named `name`. */
bool elf_section_range(const struct elf_file *elf, const char *name, uint64_t *start,
                       uint64_t *end);

/* Highest physical end address (p_paddr + p_memsz) of the PT_LOAD segments; 0 when none. */
uint64_t elf_load_end(const struct elf_file *elf);

/* The memory recommendation of the "Atoll" note (type 1, 8 bytes); false when absent. */
bool elf_atoll_note(const struct elf_file *elf, uint64_t *memory);

/* Calls `fn` for every named symbol of the symbol table, defined or not (undefined symbols of an
 * object file are the functions it calls from elsewhere). */
void elf_for_each_symbol(const struct elf_file *elf,
                         void (*fn)(void *ctx, const char *name, bool defined), void *ctx);

#endif
