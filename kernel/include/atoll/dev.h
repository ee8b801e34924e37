/* Device drivers below the core: console UART, CMOS clock, the QEMU status ports. */
#ifndef ATOLL_DEV_H
#define ATOLL_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void uart_init(void);
void uart_write(const char *s, size_t len);
int64_t rtc_read_unix_seconds(void);
_Noreturn void qemu_status_end(const char *kind, int status);

#endif
