// Command rulesdoc prints docs/RULES.md, the reference page generated from
// the rules table in internal/kmsrules.
//
//	go run ./internal/cmd/rulesdoc > docs/RULES.md
package main

import (
	"fmt"

	"github.com/kmspub/kmspub/internal/kmsrules"
)

func main() { fmt.Print(kmsrules.Markdown()) }
