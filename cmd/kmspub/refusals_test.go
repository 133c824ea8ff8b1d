package main

import (
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// kmsOperations lists the KMS API's operations: the methods of *kms.Client
// that take a *kms.<Operation>Input.
func kmsOperations() []string {
	var ops []string
	t := reflect.TypeOf(&kms.Client{})
	for i := range t.NumMethod() {
		m := t.Method(i)
		if m.Type.NumIn() >= 3 {
			in := m.Type.In(2)
			if in.Kind() == reflect.Pointer && in.Elem().Name() == m.Name+"Input" {
				ops = append(ops, m.Name)
			}
		}
	}
	return ops
}

// cliName is the AWS CLI's command name for an operation: GenerateDataKey
// is generate-data-key.
func cliName(op string) string {
	var b strings.Builder
	for i, r := range op {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// TestRefusalsCoverKMS: every KMS operation is either a kmspub command or a
// refusal, under the AWS CLI's name, and nothing else is.
func TestRefusalsCoverKMS(t *testing.T) {
	ops := kmsOperations()
	if len(ops) < 50 {
		t.Fatalf("found only %d KMS operations: %v", len(ops), ops)
	}
	known := map[string]bool{}
	for _, op := range ops {
		known[op] = true
		name := cliName(op)
		c, r := lookupCommand(name), lookupRefusal(name)
		switch {
		case c != nil && r != nil:
			t.Errorf("%s is both a command and a refusal", name)
		case c != nil && c.operation != op:
			t.Errorf("command %s stands for %s, not %s", name, c.operation, op)
		case r != nil && r.operation != op:
			t.Errorf("refusal %s names %s, not %s", name, r.operation, op)
		case c == nil && r == nil:
			t.Errorf("KMS operation %s (aws kms %s) is neither a kmspub command nor a refusal", op, name)
		}
	}
	for _, r := range refusals {
		if !known[r.operation] {
			t.Errorf("refusal %s: %s is not a KMS operation", r.name, r.operation)
		}
		text := r.text()
		if strings.Contains(text, "\n") || !strings.Contains(text, `"aws kms `+r.name+`"`) || !strings.HasPrefix(text, "kmspub "+r.name+": not offline: "+r.operation+" ") {
			t.Errorf("refusal %s: %q", r.name, text)
		}
		for _, h := range r.hints {
			if strings.Contains(text, `"kmspub `+h.command+`"`) != (lookupCommand(h.command) != nil) {
				t.Errorf("refusal %s: hint for kmspub %s shown iff the command exists: %q", r.name, h.command, text)
			}
		}
	}
	t.Logf("%d KMS operations: %d kmspub commands, %d refusals", len(ops), len(ops)-len(refusals), len(refusals))
}
