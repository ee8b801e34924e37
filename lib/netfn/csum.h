/* Internet checksums: full (RFC 1071) and incremental updates (RFC 1624). */
#ifndef NETFN_CSUM_H
#define NETFN_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* The ones' complement sum of `len` bytes folded into 16 bits, starting from `sum`. */
uint32_t csum_add(uint32_t sum, const uint8_t *data, size_t len);
/* Folds and complements: the value to store in a checksum field. */
uint16_t csum_finish(uint32_t sum);
/* The checksum of `len` bytes (0 means the bytes, checksum field included, are valid). */
uint16_t csum(const uint8_t *data, size_t len);
/* RFC 1624 eqn. 3: the new checksum after a 16-bit word changes from old_word to new_word. */
uint16_t csum_update16(uint16_t old_csum, uint16_t old_word, uint16_t new_word);
/* The same for a 32-bit field (an address). */
uint16_t csum_update32(uint16_t old_csum, uint32_t old_value, uint32_t new_value);

/* Computes the TCP or UDP checksum of an Ethernet+IPv4 frame whose sender left it to the
 * hardware (a Linux veth); other frames are left alone. */
void nf_complete_l4_checksum(uint8_t *frame, size_t len);

#endif
