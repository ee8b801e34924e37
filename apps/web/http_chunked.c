/* Chunked transfer coding decoder (RFC 9112 section 7.1), in place and incremental. */
#include "http.h"

#include <string.h>

enum {
    CH_SIZE,         /* hex digits of the chunk size */
    CH_SIZE_TAIL,    /* BWS, then ';' extensions or CR */
    CH_EXT,          /* chunk extension text up to CR */
    CH_SIZE_LF,      /* LF after the size line's CR */
    CH_DATA,         /* chunk data */
    CH_DATA_CR,      /* CR after the data */
    CH_DATA_LF,      /* LF after the data */
    CH_TRAILER,      /* start of a trailer field line or of the final CRLF */
    CH_TRAILER_LINE, /* inside a trailer field line */
    CH_TRAILER_LF,   /* LF after a trailer line's CR */
    CH_END_LF,       /* LF of the final CRLF */
};

/* Size lines and trailer lines are small; longer ones are an attack, not a request. */
#define CH_MAX_LINE   256
#define CH_MAX_DIGITS 15

void http_chunked_init(struct http_chunked *ch)
{
    memset(ch, 0, sizeof(*ch));
    ch->state = CH_SIZE;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool is_line_byte(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

int http_chunked_decode(struct http_chunked *ch, char *base, size_t *in_pos, size_t in_end,
                        size_t *out_len, uint64_t max_body)
{
    size_t i = *in_pos;
    while (i < in_end) {
        char c = base[i];
        switch (ch->state) {
        case CH_SIZE: {
            int v = hex_value(c);
            if (v < 0) {
                if (ch->digits == 0)
                    return -400;
                ch->state = CH_SIZE_TAIL;
                continue; /* look at c again */
            }
            if (++ch->digits > CH_MAX_DIGITS)
                return -400;
            ch->chunk_left = ch->chunk_left * 16 + (uint64_t)v;
            if (ch->body_len + ch->chunk_left > max_body)
                return -413;
            i++;
            break;
        }
        case CH_SIZE_TAIL:
            if (c == ' ' || c == '\t') {
                i++;
            } else if (c == ';') {
                ch->state = CH_EXT;
                i++;
            } else if (c == '\r') {
                ch->state = CH_SIZE_LF;
                i++;
            } else {
                return -400;
            }
            if (++ch->line_len > CH_MAX_LINE)
                return -400;
            break;
        case CH_EXT:
            if (c == '\r') {
                ch->state = CH_SIZE_LF;
            } else if (!is_line_byte((unsigned char)c)) {
                return -400;
            }
            if (++ch->line_len > CH_MAX_LINE)
                return -400;
            i++;
            break;
        case CH_SIZE_LF:
            if (c != '\n')
                return -400;
            i++;
            ch->line_len = 0;
            ch->digits = 0;
            ch->state = ch->chunk_left == 0 ? CH_TRAILER : CH_DATA;
            break;
        case CH_DATA: {
            size_t n = in_end - i;
            if (n > ch->chunk_left)
                n = (size_t)ch->chunk_left;
            memmove(base + *out_len, base + i, n);
            *out_len += n;
            i += n;
            ch->chunk_left -= n;
            ch->body_len += n;
            if (ch->chunk_left == 0)
                ch->state = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:
            if (c != '\r')
                return -400;
            ch->state = CH_DATA_LF;
            i++;
            break;
        case CH_DATA_LF:
            if (c != '\n')
                return -400;
            ch->state = CH_SIZE;
            i++;
            break;
        case CH_TRAILER:
            if (c == '\r') {
                ch->state = CH_END_LF;
                i++;
                break;
            }
            if (c == ' ' || c == '\t')
                return -400; /* obs-fold in a trailer */
            ch->state = CH_TRAILER_LINE;
            ch->line_len = 0;
            break;
        case CH_TRAILER_LINE:
            if (c == '\r')
                ch->state = CH_TRAILER_LF;
            else if (!is_line_byte((unsigned char)c))
                return -400;
            if (++ch->line_len > CH_MAX_LINE)
                return -400;
            i++;
            break;
        case CH_TRAILER_LF:
            if (c != '\n')
                return -400;
            ch->state = CH_TRAILER;
            i++;
            break;
        case CH_END_LF:
            if (c != '\n')
                return -400;
            *in_pos = i + 1;
            return 1;
        }
    }
    *in_pos = i;
    return 0;
}
