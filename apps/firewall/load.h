/* Loading a rule set from a file or a folder of *.rules files, and printing the findings. */
#ifndef FIREWALL_LOAD_H
#define FIREWALL_LOAD_H

#include <stdio.h>

#include "filter.h"

/* Parses and checks; returns the number of errors (0: the firewall may start). */
unsigned fw_load(const char *path, struct firewall *fw, struct nf_engine *e, struct fw_diags *d);
/* Each finding as `file:line:col: error: message`, then `    hint: ...`. */
void fw_print_diags(const struct fw_diags *d, FILE *out);

#endif
