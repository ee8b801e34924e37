/* dns: answering one query message: parsing it, the lookup (RFC 1034 4.3.2) and the response. */
#include "query.h"

#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "msg.h"

#define MAX_CNAME_CHAIN 8
#define MAX_EXTRA_NAMES 32

struct parsed {
    uint16_t id, qtype, qclass;
    uint8_t opcode, rd, cd;
    size_t question_end;
    uint8_t qname_raw[DNS_NAME_MAX]; /* as sent, for the question's case */
    uint8_t qname[DNS_NAME_MAX];     /* lowercase */
    size_t qname_len;
    int edns, edns_do;
    uint8_t edns_version;
    uint16_t edns_size;
};

struct answer {
    const struct dns_server_config *cfg;
    const struct db *db;
    struct msg m;
    struct parsed *q;
    int zone, aa, rcode, tc, over_tcp;
    const uint8_t *extra[MAX_EXTRA_NAMES]; /* names whose addresses go to the additional section */
    int extra_count, extra_is_glue;
    uint8_t wildcard[DNS_NAME_MAX + 2];
};

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Skips one resource record at *POS; the OPT record, if that is what it is, fills Q. Returns the
 * rcode to answer with when the query is malformed, else 0. */
static int parse_additional(const uint8_t *msg, size_t len, size_t *pos, struct parsed *q)
{
    uint8_t name[DNS_NAME_MAX];
    size_t name_len = name_read(msg, len, pos, name, 1);
    if (!name_len || *pos + 10 > len)
        return RCODE_FORMERR;
    const uint8_t *p = msg + *pos;
    uint16_t type = get16(p), rdlen = get16(p + 8);
    if (*pos + 10 + rdlen > len)
        return RCODE_FORMERR;
    *pos += 10 + (size_t)rdlen;
    if (type != T_OPT)
        return 0; /* TSIG and others: not served, ignored */
    if (q->edns || name_len != 1)
        return RCODE_FORMERR; /* RFC 6891 6.1.1: one OPT, owned by the root */
    q->edns = 1;
    q->edns_size = get16(p + 2);
    q->edns_version = p[5];
    q->edns_do = (p[6] & 0x80) != 0;
    /* Options: walked to check their lengths, then ignored (RFC 6891 6.1.2). */
    for (size_t o = 0; o < rdlen;) {
        if (o + 4 > rdlen || o + 4 + get16(p + 10 + o + 2) > rdlen)
            return RCODE_FORMERR;
        o += 4 + (size_t)get16(p + 10 + o + 2);
    }
    return 0;
}

/* Returns -1 to drop the message, or the rcode for a header-only or question-only error. */
static int parse_query(const uint8_t *msg, size_t len, struct parsed *q)
{
    if (len < 12 || (msg[2] & 0x80))
        return -1; /* too short to answer, or a response: never reply (no reflection) */
    q->id = get16(msg);
    q->opcode = (msg[2] >> 3) & 0xF;
    q->rd = msg[2] & 1;
    q->cd = (msg[3] >> 4) & 1;
    q->question_end = 12;
    if (q->opcode != 0)
        return RCODE_NOTIMP;
    if (get16(msg + 4) != 1)
        return RCODE_FORMERR;
    size_t pos = 12;
    q->qname_len = name_read(msg, len, &pos, q->qname_raw, 0);
    if (!q->qname_len || pos + 4 > len)
        return RCODE_FORMERR;
    memcpy(q->qname, q->qname_raw, q->qname_len);
    name_lower(q->qname);
    q->qtype = get16(msg + pos);
    q->qclass = get16(msg + pos + 2);
    pos += 4;
    if (pos != 12 + q->qname_len + 4) {
        /* A pointer in the question can only point into the header: no name precedes it. */
        q->qname_len = 0;
        return RCODE_FORMERR;
    }
    q->question_end = pos;
    if (get16(msg + 6) != 0 || get16(msg + 8) != 0)
        return RCODE_FORMERR;
    for (uint16_t i = 0, n = get16(msg + 10); i < n; i++) {
        int rcode = parse_additional(msg, len, &pos, q);
        if (rcode)
            return rcode;
    }
    return 0;
}

static void add_extra(struct answer *a, const uint8_t *name)
{
    for (int i = 0; i < a->extra_count; i++)
        if (name_wire_len(a->extra[i]) == name_wire_len(name) &&
            memcmp(a->extra[i], name, name_wire_len(name)) == 0)
            return;
    if (a->extra_count < MAX_EXTRA_NAMES)
        a->extra[a->extra_count++] = name;
}

/* Targets of NS, MX and SRV records get their addresses in the additional section. */
static void note_targets(struct answer *a, const struct rrset *set)
{
    size_t skip = set->type == T_NS ? 0 : set->type == T_MX ? 2 : set->type == T_SRV ? 6 : 99;
    if (skip == 99)
        return;
    for (uint32_t i = 0; i < set->count; i++)
        add_extra(a, db_rdata(a->db, set->first_rdata + i) + skip);
}

static int put_set(struct answer *a, int section, const uint8_t *owner, const struct rrset *set,
                   uint32_t ttl)
{
    if (msg_put_rrset(&a->m, a->db, section, owner, set, ttl, C_IN) < 0) {
        a->tc = 1;
        return -1;
    }
    return 0;
}

static int put_soa(struct answer *a)
{
    const struct zone *z = &a->db->zones[a->zone];
    const struct rrset *soa = &a->db->rrsets[z->soa_rrset];
    return put_set(a, SECTION_AUTHORITY, db_node_name(a->db, (int)z->apex), soa, z->neg_ttl);
}

static int find(const struct answer *a, const uint8_t *name, size_t len)
{
    return db_find_node(a->db, a->zone, name, len, name_hash(name, len));
}

/* A referral to the zone cut at node CUT (RFC 1034 4.3.2 step 3b): NS and glue, AA clear. */
static void referral(struct answer *a, int cut, int first)
{
    const struct rrset *ns = db_find_rrset(a->db, cut, T_NS);
    /* After a CNAME the answer section is authoritative and AA stays (RFC 1034 4.3.2 3a). */
    if (first)
        a->aa = 0;
    if (put_set(a, SECTION_AUTHORITY, db_node_name(a->db, cut), ns, ns->ttl) < 0)
        return;
    note_targets(a, ns);
    a->extra_is_glue = 1;
}

/* Answers NAME at NODE (the node itself, or the wildcard that matched it). Returns the next name
 * of a CNAME chain to follow, or NULL when the answer is complete. */
static const uint8_t *answer_node(struct answer *a, const uint8_t *name, int node)
{
    const struct db *db = a->db;
    const struct node *n = &db->nodes[node];
    uint16_t qtype = a->q->qtype;
    if (qtype == T_ANY && n->rrset_count > 0) {
        /* RFC 8482 4.2: one RRset is enough, the same over UDP and TCP (as Knot does). */
        const struct rrset *set = &db->rrsets[n->first_rrset];
        if (put_set(a, SECTION_ANSWER, name, set, set->ttl) == 0)
            note_targets(a, set);
        return NULL;
    }
    const struct rrset *cname = db_find_rrset(db, node, T_CNAME);
    if (cname && qtype != T_CNAME) {
        if (put_set(a, SECTION_ANSWER, name, cname, cname->ttl) < 0)
            return NULL;
        return db_rdata(db, cname->first_rdata);
    }
    const struct rrset *set = db_find_rrset(db, node, qtype);
    if (set) {
        if (put_set(a, SECTION_ANSWER, name, set, set->ttl) == 0)
            note_targets(a, set);
        return NULL;
    }
    put_soa(a); /* NODATA (RFC 2308 2.2) */
    return NULL;
}

/* One step of the lookup for NAME inside the zone; returns the next CNAME target or NULL. */
static const uint8_t *lookup(struct answer *a, const uint8_t *name, int first)
{
    uint8_t offsets[DNS_LABELS_MAX];
    int labels = name_label_offsets(name, offsets);
    size_t len = name_wire_len(name);
    const struct node *apex = &a->db->nodes[a->db->zones[a->zone].apex];
    int apex_labels = name_label_count(a->db->bytes + apex->name_offset);
    int encloser = (int)a->db->zones[a->zone].apex, exact = -1;
    /* Down from the apex: a zone cut on the way means a referral (RFC 1034 4.3.2 step 3b). */
    for (int k = labels - apex_labels - 1; k >= 0; k--) {
        int node = find(a, name + offsets[k], len - offsets[k]);
        if (node < 0)
            break;
        /* DS is the parent's at the cut itself (RFC 4035 3.1.4.1). */
        if (a->db->nodes[node].is_cut && !(k == 0 && a->q->qtype == T_DS)) {
            referral(a, node, first);
            return NULL;
        }
        encloser = node;
        if (k == 0)
            exact = node;
    }
    if (labels == apex_labels)
        exact = encloser;
    if (exact >= 0)
        return answer_node(a, name, exact);
    /* RFC 4592: the source of synthesis is "*" under the closest encloser. */
    const struct node *ce = &a->db->nodes[encloser];
    a->wildcard[0] = 1;
    a->wildcard[1] = '*';
    memcpy(a->wildcard + 2, a->db->bytes + ce->name_offset, ce->name_length);
    int wild = find(a, a->wildcard, ce->name_length + 2u);
    if (wild >= 0)
        return answer_node(a, name, wild);
    a->rcode = RCODE_NXDOMAIN;
    put_soa(a);
    return NULL;
}

static void additional(struct answer *a)
{
    static const uint16_t types[2] = {T_A, T_AAAA};
    for (int i = 0; i < a->extra_count; i++) {
        const uint8_t *target = a->extra[i];
        size_t len = name_wire_len(target);
        if (!name_is_below_or_equal(target, db_node_name(a->db, (int)a->db->zones[a->zone].apex)))
            continue;
        int node = find(a, target, len);
        if (node < 0)
            continue;
        for (int t = 0; t < 2; t++) {
            const struct rrset *set = db_find_rrset(a->db, node, types[t]);
            if (set &&
                msg_put_rrset(&a->m, a->db, SECTION_ADDITIONAL, target, set, set->ttl, C_IN) < 0) {
                /* RFC 9471: glue a referral needs must fit, or the client retries over TCP. */
                if (a->extra_is_glue)
                    a->tc = 1;
                return;
            }
        }
    }
}

static void answer_stats(struct answer *a, const struct dns_stats *stats)
{
    static const uint8_t stats_name[] = "\005stats\005atoll";
    char text[512];
    uint8_t rdata[600];
    if (a->q->qtype != T_TXT || !a->cfg->stats_query ||
        memcmp(a->q->qname, stats_name, sizeof(stats_name)) != 0) {
        a->rcode = RCODE_REFUSED;
        return;
    }
    dns_stats_format(stats, text, sizeof(text));
    /* One character string per counter. */
    size_t len = 0;
    for (char *word = text; *word;) {
        size_t n = strcspn(word, " ");
        rdata[len++] = (uint8_t)n;
        memcpy(rdata + len, word, n);
        len += n;
        word += n + (word[n] == ' ');
    }
    if (a->m.len + 2 + 10 + len > a->m.limit)
        return;
    uint8_t *p = a->m.buf + a->m.len;
    put16(p, 0xC00C);
    put16(p + 2, T_TXT);
    put16(p + 4, C_CH);
    put16(p + 6, 0);
    put16(p + 8, 0);
    put16(p + 10, (uint16_t)len);
    memcpy(p + 12, rdata, len);
    a->m.len += 12 + len;
    a->m.counts[SECTION_ANSWER] = 1;
    a->aa = 1;
}

static size_t finish(struct answer *a, struct dns_stats *stats)
{
    struct parsed *q = a->q;
    uint8_t *out = a->m.buf;
    if (a->tc) {
        /* RFC 2181 9: the client retries over TCP; send the question alone. */
        a->m.len = q->question_end;
        memset(a->m.counts, 0, sizeof(a->m.counts));
        if (!a->over_tcp)
            stats->truncated++;
    }
    int rcode = a->rcode;
    if (q->edns) {
        a->m.limit += 11;
        uint8_t *p = out + a->m.len;
        p[0] = 0;
        put16(p + 1, T_OPT);
        put16(p + 3, DNS_EDNS_SIZE);
        p[5] = (uint8_t)(rcode >> 4);
        p[6] = 0;
        p[7] = q->edns_do ? 0x80 : 0;
        p[8] = 0;
        put16(p + 9, 0);
        a->m.len += 11;
        a->m.counts[SECTION_ADDITIONAL]++;
    }
    put16(out, q->id);
    out[2] = (uint8_t)(0x80 | (q->opcode << 3) | (a->aa ? 4 : 0) | (a->tc ? 2 : 0) | q->rd);
    out[3] = (uint8_t)((q->cd << 4) | (rcode & 0xF));
    put16(out + 4, q->question_end > 12 ? 1 : 0);
    put16(out + 6, a->m.counts[0]);
    put16(out + 8, a->m.counts[1]);
    put16(out + 10, a->m.counts[2]);
    stats->rcodes[rcode]++;
    return a->m.len;
}

size_t dns_answer(const struct dns_server_config *cfg, struct dns_stats *stats,
                  const uint8_t *query, size_t len, uint8_t *out, int over_tcp)
{
    struct parsed q;
    struct answer a;
    memset(&q, 0, sizeof(q));
    a.cfg = cfg;
    a.db = cfg->db;
    a.q = &q;
    a.zone = -1;
    a.aa = a.tc = a.extra_count = a.extra_is_glue = 0;
    a.over_tcp = over_tcp;
    a.m.buf = out;
    a.m.counts[0] = a.m.counts[1] = a.m.counts[2] = 0;
    a.m.compress_count = 0;
    stats->queries++;
    if (over_tcp)
        stats->tcp++;
    else
        stats->udp++;
    int rcode = parse_query(query, len, &q);
    if (rcode < 0) {
        stats->dropped++;
        return 0;
    }
    a.rcode = rcode;
    if (rcode != 0) {
        /* Errors echo no more than the header (and the question, when it parsed). */
        if (rcode == RCODE_NOTIMP || q.qname_len == 0)
            q.question_end = 12;
        q.edns = 0;
    }
    memcpy(out + 12, query + 12, q.question_end - 12); /* the question as asked: case kept */
    a.m.len = q.question_end;
    size_t size = over_tcp ? 65535 : q.edns ? q.edns_size : 512;
    if (!over_tcp && size > DNS_EDNS_SIZE)
        size = DNS_EDNS_SIZE;
    if (size < 512)
        size = 512;
    a.m.limit = size - (q.edns ? 11 : 0);
    if (rcode != 0)
        return finish(&a, stats);
    if (q.edns_version > 0) {
        a.rcode = RCODE_BADVERS; /* RFC 6891 6.1.3: nothing but the OPT */
        return finish(&a, stats);
    }
    /* A question seen before (same name, type, EDNS and limit) gets the same response: only
     * the id, the RD and CD bits and the question's spelling change. Plain IN questions only. */
    struct cache_key key;
    int cacheable = !over_tcp && q.qclass == C_IN;
    if (cacheable) {
        cache_key_make(&key, q.qname, q.qname_len, q.qtype, q.edns, q.edns_do, a.m.limit);
        size_t n = cache_get(&key, out);
        if (n) {
            put16(out, q.id);
            out[2] = (uint8_t)((out[2] & ~1) | q.rd);
            out[3] = (uint8_t)((out[3] & ~0x10) | (q.cd << 4));
            memcpy(out + 12, query + 12, q.qname_len);
            stats->rcodes[out[3] & 0xF]++;
            if (out[2] & 2)
                stats->truncated++;
            return n;
        }
    }
    msg_remember_name(&a.m, q.qname, 12);
    if (q.qtype == T_OPT || q.qtype == T_MAILA || q.qtype == T_MAILB || q.qtype == T_AXFR ||
        q.qtype == T_IXFR) {
        a.rcode = q.qtype == T_OPT     ? RCODE_FORMERR
                  : q.qtype >= T_MAILB ? RCODE_NOTIMP
                                       : RCODE_REFUSED;
        return finish(&a, stats);
    }
    if (q.qclass == C_CH) {
        answer_stats(&a, stats);
        return finish(&a, stats);
    }
    a.zone = q.qclass == C_IN ? db_find_zone(a.db, q.qname, q.qname_len) : -1;
    if (a.zone < 0) {
        a.rcode = RCODE_REFUSED;
        return finish(&a, stats);
    }
    a.aa = 1;
    const uint8_t *name = q.qname;
    const uint8_t *visited[MAX_CNAME_CHAIN + 1];
    for (int step = 0; name && step <= MAX_CNAME_CHAIN && !a.tc; step++) {
        const uint8_t *apex = db_node_name(a.db, (int)a.db->zones[a.zone].apex);
        if (step > 0 && !name_is_below_or_equal(name, apex))
            break; /* out of this zone: the client follows it */
        size_t len = name_wire_len(name);
        int seen = 0;
        for (int i = 0; i < step && !seen; i++)
            seen = name_wire_len(visited[i]) == len && memcmp(visited[i], name, len) == 0;
        if (seen)
            break; /* a CNAME loop: each record once, then stop */
        visited[step] = name;
        name = lookup(&a, name, step == 0);
    }
    if (!a.tc)
        additional(&a);
    size_t response_len = finish(&a, stats);
    if (cacheable)
        cache_put(&key, out, response_len);
    return response_len;
}

void dns_stats_format(const struct dns_stats *s, char *out, size_t cap)
{
    snprintf(out, cap,
             "queries=%llu udp=%llu tcp=%llu noerror=%llu formerr=%llu servfail=%llu "
             "nxdomain=%llu notimp=%llu refused=%llu badvers=%llu truncated=%llu dropped=%llu",
             (unsigned long long)s->queries, (unsigned long long)s->udp, (unsigned long long)s->tcp,
             (unsigned long long)s->rcodes[0], (unsigned long long)s->rcodes[1],
             (unsigned long long)s->rcodes[2], (unsigned long long)s->rcodes[3],
             (unsigned long long)s->rcodes[4], (unsigned long long)s->rcodes[5],
             (unsigned long long)s->rcodes[16], (unsigned long long)s->truncated,
             (unsigned long long)s->dropped);
}
