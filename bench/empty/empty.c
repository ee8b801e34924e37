/* The smallest program: main returns at once. Its boot-to-exit time is the kernel's own cost. */
int main(void)
{
    return 0;
}
