package kmspub

import (
	"context"
	"errors"
	"log/slog"

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

// auditBounded cuts a value the caller gave to the longest key ID KMS
// takes, so that a hostile request cannot make a record of any size.
func auditBounded(s string) string {
	if len(s) > kmsrules.MaxKeyIDSize {
		return s[:kmsrules.MaxKeyIDSize] + "…"
	}
	return s
}
