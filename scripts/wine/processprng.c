/*
 * bcryptprimitives.dll for Wine versions that lack it (Debian 12 ships
 * Wine 8). Go 1.24+ Windows binaries get their random bytes from
 * ProcessPrng and do not start without it. This one fills the buffer with
 * RtlGenRandom (advapi32's SystemFunction036), which Wine has.
 * scripts/test.d/60-windows.sh builds it with mingw and puts it in a
 * throwaway Wine prefix; it never ships with the app.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
	while (size > 0) {
		ULONG n = size > 0x40000000 ? 0x40000000 : (ULONG)size;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		size -= n;
	}
	return TRUE;
}
