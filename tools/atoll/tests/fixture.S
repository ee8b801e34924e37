/* A tiny ELF for the symbol lookup tests: functions with gaps between them, an unsized assembly
 * label, the linker's region markers, data, bss and an Atoll note (64 MiB). */
    .text
    .globl fixture_start
    .type fixture_start, @function
fixture_start:
    .globl __kernel_text_start
__kernel_text_start:
    .fill 16, 1, 0x90
    .size fixture_start, 16
    .fill 16, 1, 0xcc           /* gap: between functions */

    .globl alpha
    .type alpha, @function
alpha:
    .globl __kernel_text_end
__kernel_text_end:
    .globl __libc_text_start
__libc_text_start:
    .fill 32, 1, 0x90
    .size alpha, 32
    .fill 32, 1, 0xcc           /* gap */

    .type beta, @function      /* a local function */
beta:
    .globl __libc_text_end
__libc_text_end:
    .fill 8, 1, 0x90
    .size beta, 8

    .globl asm_label            /* no type, no size: holds up to the next symbol */
asm_label:
    .fill 24, 1, 0x90

    .globl gamma
    .type gamma, @function
gamma:
    .fill 16, 1, 0x90
    .size gamma, 16

    .globl tail_label           /* unsized, last in .text: holds up to the section's end */
tail_label:
    .fill 8, 1, 0x90

    .data
    .globl fixture_data
    .type fixture_data, @object
fixture_data:
    .quad 42
    .size fixture_data, 8

    .bss
    .fill 4096, 1, 0

    .section .note.atoll, "a", @note
    .balign 4
    .long 6
    .long 8
    .long 1
    .asciz "Atoll"
    .balign 4
    .quad 67108864
    .balign 4

    .section .note.GNU-stack, "", @progbits
