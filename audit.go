package kmspub

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub/internal/kmsrules"
)

// WithAuditLogger makes a [Client] write one record to logger for every
// operation it performs, standing in for the CloudTrail record KMS would
// have written. A record has the message "kmspub offline operation", the
// time (from the Keyring's clock), level Info when the request succeeded
// (or would have, under DryRun) and Warn otherwise, and these attributes:
//
//	operation     "Verify", "Encrypt", "Encapsulate" or "GetPublicKey"
//	key_id        the KeyId as the request gave it
//	key_arn       the key ARN it resolved to (absent when it did not resolve)
//	algorithm     the signing, encryption or encapsulation algorithm requested
//	message_type  Verify only: RAW, DIGEST or EXTERNAL_MU
//	dry_run       true when the request set DryRun
//	outcome       "ok", or the error code of the refusal or failure (for
//	              example "KMSInvalidSignatureException", "AccessDeniedException",
//	              "DryRunOperationException"), or "error" for an error without one
//
// A record never holds the message, plaintext, signature, ciphertext, shared
// secret or error message — only the names above — so audit logs can be
// kept and shipped without becoming sensitive. A key_id, algorithm or
// message_type over 2048 bytes (KMS's longest KeyId; such a request is
// refused) is cut there and ends with "…", so no request makes a record of
// unbounded size.
func WithAuditLogger(logger *slog.Logger) ClientOption {
	return func(c *Client) { c.audit = logger }
}

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
	r := slog.NewRecord(c.now(), level, "kmspub offline operation", 0)
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

func (c *Client) now() time.Time { return c.keys.now() }

// auditBounded cuts a value the caller gave to the longest key ID KMS
// takes, so that a hostile request cannot make a record of any size.
func auditBounded(s string) string {
	if len(s) > kmsrules.MaxKeyIDSize {
		return s[:kmsrules.MaxKeyIDSize] + "…"
	}
	return s
}
