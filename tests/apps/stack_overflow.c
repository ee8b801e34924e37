/* Recurses without bound: the main stack's guard page must catch it and the kernel exit with 139.
 */
#include <stdio.h>

/* Always 1; read through a volatile so the compiler neither warns about nor removes the recursion.
 */
static volatile int keep_going = 1;

__attribute__((noinline)) static unsigned long recurse(unsigned long depth)
{
    volatile char frame[512];
    frame[0] = (char)depth;
    if (!keep_going)
        return depth;
    /* Using the frame after the call keeps the call from becoming a jump. */
    return recurse(depth + 1) + (unsigned long)frame[0];
}

int main(void)
{
    printf("recursing without bound\n");
    fflush(stdout);
    unsigned long result = recurse(0);
    printf("still alive after unbounded recursion (%lu)\n", result);
    return 0;
}
