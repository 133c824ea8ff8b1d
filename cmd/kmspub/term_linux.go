package main

import (
	"io"
	"os"
	"syscall"
	"unsafe"
)

// terminalWidth is the width of the terminal w writes to, or 80, as the
// AWS CLI's determine_terminal_width finds it (TIOCGWINSZ on stdout).
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 80
	}
	var ws struct{ Row, Col, X, Y uint16 }
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TIOCGWINSZ, uintptr(unsafe.Pointer(&ws)))
	if errno != 0 || ws.Col == 0 {
		return 80
	}
	return int(ws.Col)
}
