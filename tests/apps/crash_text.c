/* Writes into its own code: text is mapped read-only (W^X), so this must fault and exit 139. */
#include <stdint.h>
#include <stdio.h>

__attribute__((noinline)) int victim(int x)
{
    return x * 3 + 1;
}

/* The code address travels through a volatile so the store is really emitted. */
static int (*volatile victim_address)(int) = victim;

__attribute__((noinline)) void crash_text(void)
{
    volatile unsigned char *code = (volatile unsigned char *)(uintptr_t)victim_address;
    code[0] = 0xc3; /* ret */
}

int main(void)
{
    printf("writing to my own text at %p\n", (void *)(uintptr_t)victim_address);
    fflush(stdout);
    crash_text();
    printf("still alive after writing to text: victim(1)=%d\n", victim_address(1));
    return 0;
}
