/* The in-memory notes behind /api/notes: a fixed table, bounded in count and text size. */
#include "notes.h"

#include <string.h>

void notes_init(struct notes *notes)
{
    memset(notes, 0, sizeof(*notes));
    notes->next_id = 1;
}

struct note *notes_find(struct notes *notes, uint32_t id)
{
    if (id == 0)
        return NULL;
    for (size_t i = 0; i < NOTES_MAX; i++)
        if (notes->items[i].id == id)
            return &notes->items[i];
    return NULL;
}

void notes_set_text(struct note *note, const char *text, size_t len, int64_t now)
{
    if (len > NOTE_TEXT_MAX)
        len = NOTE_TEXT_MAX;
    memcpy(note->text, text, len);
    note->text_len = len;
    note->updated = now;
}

struct note *notes_add(struct notes *notes, uint32_t id, const char *text, size_t len, int64_t now)
{
    if (notes->count >= NOTES_MAX)
        return NULL;
    if (id == 0) {
        while (notes_find(notes, notes->next_id))
            notes->next_id++;
        id = notes->next_id++;
    } else if (id >= notes->next_id) {
        notes->next_id = id + 1;
    }
    for (size_t i = 0; i < NOTES_MAX; i++) {
        struct note *note = &notes->items[i];
        if (note->id == 0) {
            note->id = id;
            note->created = now;
            notes_set_text(note, text, len, now);
            notes->count++;
            return note;
        }
    }
    return NULL;
}

bool notes_delete(struct notes *notes, uint32_t id)
{
    struct note *note = notes_find(notes, id);
    if (!note)
        return false;
    memset(note, 0, sizeof(*note));
    notes->count--;
    return true;
}
