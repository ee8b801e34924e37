/* PVH entry: 32-bit protected mode with paging off -> long mode on an early identity map -> kmain. */

#define EARLY_MAP_GIB 1 /* covers the image, boot data and early page-table pages, all in low memory */

    .section .note.Xen, "a"
    .balign 4
    .long 4                     /* namesz: "Xen\0" */
    .long 8                     /* descsz: QEMU reads the entry as 8 bytes */
    .long 18                    /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .balign 4
    .quad pvh_entry

    .section .text.pvh, "ax"
    .code32
    .globl pvh_entry
pvh_entry:
    /* First instruction: the boot clock starts here. */
    rdtsc
    mov %eax, boot_tsc_entry
    mov %edx, boot_tsc_entry + 4
    mov %ebx, boot_start_info
    mov $boot_stack_top, %esp

    /* Long mode (CPUID 0x80000001 EDX bit 29) is the one feature we cannot report from C. */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc no_long_mode
    mov %edx, %esi              /* keep: bit 20 says whether NX exists */

    /* Early page tables: 0..4 GiB identity-mapped with 2 MiB pages (replaced by paging.c). */
    cld
    mov $early_pml4, %edi
    xor %eax, %eax
    mov $(2 * 4096 / 4), %ecx
    rep stosl
    mov $early_pdpt, %eax
    or $3, %eax
    mov %eax, early_pml4
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $12, %eax
    add $early_pd, %eax
    or $3, %eax
    mov %eax, early_pdpt(, %ecx, 8)
    inc %ecx
    cmp $EARLY_MAP_GIB, %ecx
    jb 1b
    xor %ecx, %ecx
2:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax              /* present, writable, 2 MiB */
    mov %eax, early_pd(, %ecx, 8)
    movl $0, early_pd + 4(, %ecx, 8)
    inc %ecx
    cmp $(EARLY_MAP_GIB * 512), %ecx
    jb 2b

    mov %cr4, %eax
    or $0x20, %eax              /* PAE */
    mov %eax, %cr4
    mov $early_pml4, %eax
    mov %eax, %cr3
    mov $0xC0000080, %ecx       /* EFER: LME + SCE, NXE when the CPU has NX */
    rdmsr
    or $0x101, %eax
    bt $20, %esi
    jnc 3f
    or $0x800, %eax
3:  wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax        /* PG | PE */
    mov %eax, %cr0
    lgdt early_gdt_desc
    ljmp $0x08, $long_mode_entry

no_long_mode:
    mov $no_long_mode_msg, %esi
4:  lodsb
    test %al, %al
    jz 5f
    mov $0x3f8, %dx
    out %al, %dx
    jmp 4b
5:  mov $0xf4, %dx
    mov $134, %al
    out %al, %dx
6:  hlt
    jmp 6b

    .code64
long_mode_entry:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %eax, %eax
    mov %ax, %fs
    mov %ax, %gs
    mov $boot_stack_top, %rsp
    xor %ebp, %ebp
    mov boot_start_info(%rip), %edi
    call kmain
7:  hlt
    jmp 7b

    .section .rodata
no_long_mode_msg:
    .asciz "atoll: crash: this CPU has no 64-bit long mode; Atoll needs an x86_64 CPU (try QEMU -cpu max)\n"

    .balign 8
early_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF    /* 0x08: 64-bit code */
    .quad 0x00CF92000000FFFF    /* 0x10: data */
early_gdt_desc:
    .word early_gdt_desc - early_gdt - 1
    .long early_gdt

    .section .bss
    .balign 4096
early_pml4:
    .skip 4096
early_pdpt:
    .skip 4096
early_pd:
    .skip 4096 * EARLY_MAP_GIB
boot_stack:
    .skip 16384
boot_stack_top:
    .globl boot_tsc_entry
boot_tsc_entry:
    .quad 0
boot_start_info:
    .long 0

    .section .note.GNU-stack, "", @progbits
