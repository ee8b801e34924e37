/* libFuzzer harness: arbitrary text through the firewall's rule parser and checks. Every
 * finding must carry a position inside the text. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../apps/firewall/parse_util.h"
#include "../../apps/firewall/rules.h"

static struct fw_ruleset rs;
static struct nf_engine eng;
static struct fw_diags diags;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    unsigned lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += text[i] == '\n';
    memset(&rs, 0, sizeof(rs));
    memset(&diags, 0, sizeof(diags));
    nf_engine_init(&eng);
    if (fw_parse("f.rules", text, &rs, &eng, &diags) == 0) {
        fw_finish("f.rules", &rs, &diags);
        fw_check_shadowed(&rs, &diags);
    }
    for (unsigned i = 0; i < diags.count; i++)
        assert(diags.items[i].line <= lines);
    for (unsigned i = 0; i < rs.nrules; i++) {
        const struct fw_rule *r = &rs.rules[i];
        assert(r->src.first + r->src.count <= rs.nranges);
        assert(r->dport.first + r->dport.count <= rs.nranges);
    }
    free(text);
    return 0;
}
