/* The syscall instruction's target in ring 0: red-zone-safe switch to the kernel stack, dispatch, jmp back. */

    .section .text.syscall, "ax"
    .globl syscall_entry
syscall_entry:
    /* IF is masked by SFMASK, so the scratch slot cannot be reused before it is saved. musl's code
       below the caller's RSP (the red zone) stays untouched: nothing is pushed on the user stack. */
    mov %rsp, syscall_user_rsp(%rip)
    mov syscall_kstack_top(%rip), %rsp
    pushq syscall_user_rsp(%rip)
    push %r11                   /* RFLAGS at entry */
    push %rcx                   /* return address */
    push %rax                   /* syscall number */
    push %r9
    push %r8
    push %r10
    push %rdx
    push %rsi
    push %rdi
    cld
    mov %rsp, %rdi
    call syscall_dispatch
    pop %rdi
    pop %rsi
    pop %rdx
    pop %r10
    pop %r8
    pop %r9
    add $8, %rsp
    pop %rcx
    mov (%rsp), %r11            /* Linux leaves RFLAGS in R11 */
    popfq
    pop %rsp
    jmp *%rcx

    .section .bss
    .balign 8
    .globl syscall_kstack_top
syscall_kstack_top:
    .quad 0
syscall_user_rsp:
    .quad 0

    .section .note.GNU-stack, "", @progbits
