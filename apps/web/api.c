/* The REST API: /api/status and the /api/notes collection (JSON in, JSON out). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "server.h"

#define WEB_VERSION "0.1.0"
/* The same objects make the image, the Linux binary and the container: one build id for all. */
#define WEB_BUILD_ID "web-" WEB_VERSION " " __DATE__ " " __TIME__

#define NOTES_ALLOW  "GET, HEAD, POST, OPTIONS"
#define NOTE_ALLOW   "GET, HEAD, PUT, DELETE, OPTIONS"
#define STATUS_ALLOW "GET, HEAD, OPTIONS"

/* Answers are built here before their length is known; it grows to the largest answer so far
 * (a few KiB unless notes hold much text), not to the 200 KiB the worst list could take. */
static char *json_out;
static size_t json_cap;

static bool json_room(size_t need)
{
    if (need <= json_cap)
        return true;
    char *grown = realloc(json_out, need);
    if (!grown)
        return false;
    json_out = grown;
    json_cap = need;
    return true;
}

static void send_json(struct conn *c, int status, const char *location, const char *body,
                      size_t len)
{
    resp_start(c, status);
    static const char fields[] = "Content-Type: application/json\r\nCache-Control: no-store\r\n";
    out_append(c, fields, sizeof(fields) - 1);
    if (location)
        out_printf(c, "Location: %s\r\n", location);
    resp_end_head(c, len, false);
    if (c->req.method != HTTP_HEAD) {
        out_append(c, body, len);
        c->last_bytes = len;
    }
}

static size_t note_json(const struct note *n, char *out, size_t cap)
{
    char escaped[NOTE_TEXT_MAX * 6];
    int len = json_escape(n->text, n->text_len, escaped, sizeof(escaped));
    int w =
        snprintf(out, cap, "{\"id\":%u,\"text\":\"%.*s\",\"created\":%lld,\"updated\":%lld}", n->id,
                 len < 0 ? 0 : len, escaped, (long long)n->created, (long long)n->updated);
    return w < 0 ? 0 : (size_t)w < cap ? (size_t)w : cap - 1;
}

static void options(struct conn *c, const char *allow)
{
    resp_start(c, 204);
    out_printf(c, "Allow: %s\r\n", allow);
    resp_end_head(c, 0, true);
}

static void status(struct conn *c)
{
    if (!json_room(512)) {
        resp_error(c, 503, NULL, true, "out of memory");
        return;
    }
    int n = snprintf(json_out, json_cap,
                     "{\"uptime_s\":%lld,\"requests\":%llu,\"connections\":%u,\"runtime\":\"%s\","
                     "\"build\":\"%s\",\"notes\":%zu}\n",
                     (long long)((web.now_ms - web.started_ms) / 1000),
                     (unsigned long long)web.requests, web.open_conns, web.runtime, WEB_BUILD_ID,
                     web.notes.count);
    send_json(c, 200, NULL, json_out, (size_t)n);
}

static int by_id(const void *a, const void *b)
{
    uint32_t x = (*(const struct note *const *)a)->id, y = (*(const struct note *const *)b)->id;
    return x < y ? -1 : x > y;
}

static void list(struct conn *c)
{
    const struct note *sorted[NOTES_MAX];
    size_t count = 0;
    for (size_t i = 0; i < NOTES_MAX; i++)
        if (web.notes.items[i].id)
            sorted[count++] = &web.notes.items[i];
    qsort(sorted, count, sizeof(sorted[0]), by_id);
    size_t need = 4;
    for (size_t i = 0; i < count; i++)
        need += sorted[i]->text_len * 6 + 128; /* every byte escaped as \u00XX at worst */
    if (!json_room(need)) {
        resp_error(c, 503, NULL, true, "out of memory");
        return;
    }
    size_t n = 0;
    json_out[n++] = '[';
    for (size_t i = 0; i < count; i++) {
        if (i)
            json_out[n++] = ',';
        n += note_json(sorted[i], json_out + n, json_cap - n - 4);
    }
    json_out[n++] = ']';
    json_out[n++] = '\n';
    send_json(c, 200, NULL, json_out, n);
}

static bool media_type_is_json(const struct http_span *ct)
{
    static const char want[] = "application/json";
    size_t n = sizeof(want) - 1;
    if (!ct->ptr || ct->len < n || strncasecmp(ct->ptr, want, n) != 0)
        return false;
    return ct->len == n || ct->ptr[n] == ';' || ct->ptr[n] == ' ' || ct->ptr[n] == '\t';
}

/* The fields of a note sent by the client: text (required) and id (optional). */
struct note_input {
    char text[NOTE_TEXT_MAX];
    size_t text_len;
    uint32_t id;
};

/* Returns 0, or answers the request itself and returns -1. */
static int read_note(struct conn *c, const char *body, size_t len, struct note_input *in)
{
    char detail[160];
    if (!media_type_is_json(&c->req.content_type)) {
        resp_error(c, 415, NULL, true, "send the note as Content-Type: application/json");
        return -1;
    }
    struct json_error err;
    if (json_validate(body, len, &err) != 0) {
        snprintf(detail, sizeof(detail), "bad JSON at byte %zu: %s", err.pos, err.what);
        resp_error(c, 400, NULL, true, detail);
        return -1;
    }
    struct json_value text, id;
    if (json_object_get(body, len, "text", &text) != 0 || text.type != JSON_STRING) {
        resp_error(c, 400, NULL, true, "expected an object with a string member \"text\"");
        return -1;
    }
    int n = json_string_decode(&text, in->text, sizeof(in->text));
    if (n < 0) {
        snprintf(detail, sizeof(detail), "\"text\" is longer than %d bytes", NOTE_TEXT_MAX);
        resp_error(c, 413, NULL, true, detail);
        return -1;
    }
    in->text_len = (size_t)n;
    in->id = 0;
    if (json_object_get(body, len, "id", &id) == 0) {
        unsigned long v = 0;
        bool ok = id.type == JSON_NUMBER && id.len <= 9;
        for (size_t i = 0; ok && i < id.len; i++)
            ok = id.ptr[i] >= '0' && id.ptr[i] <= '9',
            v = v * 10 + (unsigned long)(id.ptr[i] - '0');
        if (!ok || v == 0) {
            resp_error(c, 400, NULL, true, "\"id\" must be a positive integer below 10^9");
            return -1;
        }
        in->id = (uint32_t)v;
    }
    return 0;
}

static void send_note(struct conn *c, int status, const struct note *note)
{
    char location[48];
    if (!json_room(note->text_len * 6 + 130)) {
        resp_error(c, 503, NULL, true, "out of memory");
        return;
    }
    size_t n = note_json(note, json_out, json_cap - 1);
    json_out[n++] = '\n';
    snprintf(location, sizeof(location), "/api/notes/%u", note->id);
    send_json(c, status, status == 201 ? location : NULL, json_out, n);
}

static void create(struct conn *c, const char *body, size_t len)
{
    struct note_input in;
    if (read_note(c, body, len, &in) != 0)
        return;
    if (in.id && notes_find(&web.notes, in.id)) {
        resp_error(c, 409, NULL, true, "a note with this id exists");
        return;
    }
    struct note *note = notes_add(&web.notes, in.id, in.text, in.text_len, web.wall_s);
    if (!note) {
        resp_error(c, 507, NULL, true, "the note store is full");
        return;
    }
    send_note(c, 201, note);
}

static void one_note(struct conn *c, uint32_t id, const char *body, size_t len)
{
    struct note *note = notes_find(&web.notes, id);
    switch (c->req.method) {
    case HTTP_OPTIONS:
        options(c, NOTE_ALLOW);
        return;
    case HTTP_GET:
    case HTTP_HEAD:
        if (!note)
            resp_error(c, 404, NULL, true, "no such note");
        else
            send_note(c, 200, note);
        return;
    case HTTP_DELETE:
        if (!notes_delete(&web.notes, id)) {
            resp_error(c, 404, NULL, true, "no such note");
            return;
        }
        resp_start(c, 204);
        resp_end_head(c, 0, true);
        return;
    case HTTP_PUT: {
        struct note_input in;
        if (read_note(c, body, len, &in) != 0)
            return;
        if (in.id && in.id != id) {
            resp_error(c, 409, NULL, true, "the id in the body differs from the id in the path");
            return;
        }
        if (note) {
            notes_set_text(note, in.text, in.text_len, web.wall_s);
            send_note(c, 200, note);
            return;
        }
        note = notes_add(&web.notes, id, in.text, in.text_len, web.wall_s);
        if (!note)
            resp_error(c, 507, NULL, true, "the note store is full");
        else
            send_note(c, 201, note);
        return;
    }
    default:
        resp_error(c, 405, NOTE_ALLOW, true, NULL);
        return;
    }
}

/* "/api/notes/123" -> 123; 0 when the rest is not a plain decimal id. */
static uint32_t parse_id(const char *p, size_t len)
{
    if (len == 0 || len > 9 || p[0] == '0')
        return 0;
    uint32_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        v = v * 10 + (uint32_t)(p[i] - '0');
    }
    return v;
}

static bool path_is(const char *p, size_t len, const char *want)
{
    return len == strlen(want) && memcmp(p, want, len) == 0;
}

void api_handle(struct conn *c, const char *body, size_t body_len)
{
    const char *p = c->req.target.ptr;
    const char *q = memchr(p, '?', c->req.target.len);
    size_t len = q ? (size_t)(q - p) : c->req.target.len;
    enum http_method m = c->req.method;
    if (path_is(p, len, "/api/status")) {
        if (m == HTTP_OPTIONS)
            options(c, STATUS_ALLOW);
        else if (m == HTTP_GET || m == HTTP_HEAD)
            status(c);
        else
            resp_error(c, 405, STATUS_ALLOW, true, NULL);
    } else if (path_is(p, len, "/api/notes") || path_is(p, len, "/api/notes/")) {
        if (m == HTTP_OPTIONS)
            options(c, NOTES_ALLOW);
        else if (m == HTTP_GET || m == HTTP_HEAD)
            list(c);
        else if (m == HTTP_POST)
            create(c, body, body_len);
        else
            resp_error(c, 405, NOTES_ALLOW, true, NULL);
    } else if (len > 11 && memcmp(p, "/api/notes/", 11) == 0 && parse_id(p + 11, len - 11)) {
        one_note(c, parse_id(p + 11, len - 11), body, body_len);
    } else {
        resp_error(c, 404, NULL, true, "no such resource");
    }
}
