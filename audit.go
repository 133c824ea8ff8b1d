package kmspub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub/internal/kmsrules"
)

// auditRecord collects one operation's attributes as it proceeds.
type auditRecord struct {
	operation   string
	keyID       string
	keyARN      string
	algorithm   string
	messageType string
	dryRun      bool
}

// log writes the record for an operation that ended with err.
func (c *Client) log(ctx context.Context, rec *auditRecord, err error) {
	if c.audit == nil {
		return
	}
	level, outcome := slog.LevelInfo, "ok"
	if err != nil {
		level, outcome = slog.LevelWarn, "error"
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			outcome = apiErr.ErrorCode()
			if outcome == "DryRunOperationException" {
				level = slog.LevelInfo
			}
		}
	}
	h := c.audit.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	r := slog.NewRecord(c.keys.now(), level, "kmspub offline operation", 0)
	r.AddAttrs(slog.String("operation", rec.operation), slog.String("key_id", auditBounded(rec.keyID)))
	if rec.keyARN != "" {
		r.AddAttrs(slog.String("key_arn", rec.keyARN))
	}
	if rec.algorithm != "" {
		r.AddAttrs(slog.String("algorithm", auditBounded(rec.algorithm)))
	}
	if rec.messageType != "" {
		r.AddAttrs(slog.String("message_type", auditBounded(rec.messageType)))
	}
	if rec.dryRun {
		r.AddAttrs(slog.Bool("dry_run", true))
	}
	r.AddAttrs(slog.String("outcome", outcome))
	_ = h.Handle(ctx, r) // an audit sink's failure is the handler's to report
}

// auditBounded makes a value the caller gave safe to log: characters that
// are not graphic — control and format characters such as U+202E (which
// reverses the text after it in a viewer), line and paragraph separators,
// invalid UTF-8 — and the backslash are escaped (\u202e, \x80, \\), and
// the result is cut, between characters or escapes, to at most the longest
// key ID KMS takes (2048 bytes) followed by "…", so that a hostile request
// can neither disguise a record nor make one of any size.
func auditBounded(s string) string {
	if len(s) <= kmsrules.MaxKeyIDSize && auditSafe(s) {
		return s // the usual case: nothing to escape or cut, no allocation
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		piece := s[i : i+size]
		switch {
		case r == utf8.RuneError && size == 1:
			piece = fmt.Sprintf(`\x%02x`, s[i])
		case r == '\\':
			piece = `\\`
		case !unicode.IsGraphic(r):
			piece = fmt.Sprintf(`\u%04x`, r)
			if r > 0xffff {
				piece = fmt.Sprintf(`\U%08x`, r)
			}
		}
		if b.Len()+len(piece) > kmsrules.MaxKeyIDSize {
			b.WriteString("…")
			break
		}
		b.WriteString(piece)
		i += size
	}
	return b.String()
}

// auditSafe reports whether s has nothing auditBounded escapes.
func auditSafe(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\\' || r == utf8.RuneError && size == 1 || !unicode.IsGraphic(r) {
			return false
		}
		i += size
	}
	return true
}
