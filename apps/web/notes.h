/* The in-memory notes behind /api/notes: a fixed table, bounded in count and text size. */
#ifndef WEB_NOTES_H
#define WEB_NOTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOTES_MAX     64
#define NOTE_TEXT_MAX 512

struct note {
    uint32_t id; /* 0 for a free slot */
    int64_t created;
    int64_t updated;
    size_t text_len;
    char text[NOTE_TEXT_MAX];
};

struct notes {
    struct note items[NOTES_MAX];
    uint32_t next_id;
    size_t count;
};

void notes_init(struct notes *notes);
struct note *notes_find(struct notes *notes, uint32_t id);
/* Adds a note with the given id, or the next free id when id is 0; NULL when the table is full. */
struct note *notes_add(struct notes *notes, uint32_t id, const char *text, size_t len, int64_t now);
void notes_set_text(struct note *note, const char *text, size_t len, int64_t now);
bool notes_delete(struct notes *notes, uint32_t id);

#endif
