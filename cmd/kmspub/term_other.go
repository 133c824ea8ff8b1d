//go:build !linux

package main

import "io"

// terminalWidth is 80 here, the AWS CLI's width when it cannot ask the
// terminal.
func terminalWidth(io.Writer) int { return 80 }
