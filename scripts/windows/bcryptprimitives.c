/*
 * Test setup only, never shipped: Wine 8 has no bcryptprimitives.dll, whose ProcessPrng
 * Rust's standard library imports on Windows. This stand-in answers it from
 * RtlGenRandom (advapi32's SystemFunction036), which Wine does implement, so a Rust
 * addon built for x86_64-pc-windows-gnu loads under Wine. scripts/test-windows.sh
 * builds it next to the Windows node.exe it runs, outside the repository.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* Fills `len` bytes in chunks RtlGenRandom accepts (a ULONG each); always TRUE, as the
 * real ProcessPrng, unless the generator itself fails. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
