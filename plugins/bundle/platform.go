package bundle

import (
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"errors"
	"fmt"
	"os"
	"strings"
)

// errNotExecutable says a file is no executable any Go target produces.
var errNotExecutable = errors.New("not an executable (neither ELF, PE nor Mach-O)")

// sniff reads an executable's header and returns the platform it was built
// for, GOOS/GOARCH. ELF does not name its operating system reliably, so an
// ELF file is reported as linux unless it says FreeBSD.
func sniff(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if e, err := elf.NewFile(f); err == nil {
		arch, ok := map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64", elf.EM_386: "386",
			elf.EM_ARM: "arm", elf.EM_RISCV: "riscv64", elf.EM_PPC64: "ppc64le", elf.EM_S390: "s390x"}[e.Machine]
		if !ok {
			return "", fmt.Errorf("an ELF executable for an unknown machine %v", e.Machine)
		}
		if e.Type != elf.ET_EXEC && e.Type != elf.ET_DYN {
			return "", fmt.Errorf("an ELF file of type %v, not an executable", e.Type)
		}
		goos := "linux"
		if e.OSABI == elf.ELFOSABI_FREEBSD {
			goos = "freebsd"
		}
		return goos + "/" + arch, nil
	}
	if m, err := macho.NewFile(f); err == nil {
		arch, ok := map[macho.Cpu]string{macho.CpuAmd64: "amd64", macho.CpuArm64: "arm64"}[m.Cpu]
		if !ok {
			return "", fmt.Errorf("a Mach-O executable for an unknown CPU %v", m.Cpu)
		}
		if m.Type != macho.TypeExec {
			return "", fmt.Errorf("a Mach-O file of type %v, not an executable", m.Type)
		}
		return "darwin/" + arch, nil
	}
	if _, err := macho.NewFatFile(f); err == nil {
		return "", errors.New("a universal (fat) Mach-O file; ship one executable per architecture")
	}
	if p, err := pe.NewFile(f); err == nil {
		arch, ok := map[uint16]string{pe.IMAGE_FILE_MACHINE_AMD64: "amd64", pe.IMAGE_FILE_MACHINE_ARM64: "arm64",
			pe.IMAGE_FILE_MACHINE_I386: "386"}[p.Machine]
		if !ok {
			return "", fmt.Errorf("a Windows executable for an unknown machine %#x", p.Machine)
		}
		return "windows/" + arch, nil
	}
	return "", errNotExecutable
}

// sameFamily reports whether an executable sniffed as got can be the one
// declared for want: the same architecture and the same executable format.
// (A linux/amd64 ELF may be declared as freebsd/amd64 when its header does
// not say; PE and Mach-O name their system.)
func sameFamily(got, want string) bool {
	gos, garch, _ := strings.Cut(got, "/")
	wos, warch, _ := strings.Cut(want, "/")
	if garch != warch {
		return false
	}
	format := func(goos string) string {
		switch goos {
		case "windows":
			return "pe"
		case "darwin", "ios":
			return "macho"
		}
		return "elf"
	}
	return format(gos) == format(wos)
}
