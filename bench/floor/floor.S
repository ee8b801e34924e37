/* The "floor" kernel of the boot benchmark: a PVH entry that reports exit 0 and stops the VM. */

/* QEMU enters a PVH kernel at the 32-bit address of this note (XEN_ELFNOTE_PHYS32_ENTRY = 18).
 * QEMU reads the address as 8 bytes, hence the .quad; the linker script gives the note its own
 * 4-aligned PT_NOTE segment, or QEMU reads the address from the wrong offset. */
    .section .note.Xen, "a", @note
    .balign 4
    .long 4                 /* namesz: "Xen\0" */
    .long 8                 /* descsz */
    .long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .balign 4
    .quad floor_entry
    .balign 4

/* Entered in 32-bit protected mode, flat segments, paging off. */
    .text
    .code32
    .globl floor_entry
    .type floor_entry, @function
floor_entry:
    cld
    /* The status line goes to the isa-debugcon port, which `atoll run` reads from a file. */
    mov $0x4f0, %dx
    mov $status_line, %esi
    mov $(status_line_end - status_line), %ecx
    rep outsb
    /* isa-debug-exit: QEMU exits with (0 << 1) | 1. */
    mov $0xf4, %dx
    xor %eax, %eax
    outl %eax, %dx
1:  cli
    hlt
    jmp 1b
    .size floor_entry, . - floor_entry

    .section .rodata
status_line:
    .ascii "ATOLL-STATUS exit 0\n"
status_line_end:

    .section .note.GNU-stack, "", @progbits
