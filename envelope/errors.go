package envelope

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidMessage matches, with errors.Is, every error saying that a
// message is malformed, was altered, or is not one Decrypt opens: a
// [*MessageError] or a [*LimitError].
var ErrInvalidMessage = errors.New("envelope: invalid message")

// MessageError reports a message that is malformed or fails
// authentication. Part names where ("header", "encrypted data key 2",
// "frame 7", "final frame (frame 9)", "footer", "message"), Reason what.
// No plaintext from the failing frame or any later one is released.
type MessageError struct {
	Part   string
	Reason string
	Err    error // the underlying error, e.g. io.ErrUnexpectedEOF for a truncated message
}

func (e *MessageError) Error() string {
	return "envelope: invalid message: " + e.Part + ": " + e.Reason
}

func (e *MessageError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalidMessage) true.
func (e *MessageError) Is(target error) bool { return target == ErrInvalidMessage }

// LimitError reports a message over one of the DecryptOptions bounds,
// refused before the memory it would take was allocated.
type LimitError struct {
	What  string // "encrypted data keys" or "frame length"
	Value int64
	Max   int64
	// Option names the DecryptOptions field that sets the bound.
	Option string
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("envelope: the message's %s (%d) exceed the limit of %d (DecryptOptions.%s)", e.What, e.Value, e.Max, e.Option)
}

// Is makes errors.Is(err, ErrInvalidMessage) true.
func (e *LimitError) Is(target error) bool { return target == ErrInvalidMessage }

// ContextError reports an encryption context Encrypt cannot write, or one
// Decrypt was asked to require that the message does not carry.
type ContextError struct {
	Key    string // the key at fault, if one is
	Reason string
}

func (e *ContextError) Error() string {
	if e.Key != "" {
		return fmt.Sprintf("envelope: encryption context key %s: %s", quoteKey(e.Key), e.Reason)
	}
	return "envelope: encryption context: " + e.Reason
}

func quoteKey(k string) string {
	if len(k) > 64 {
		k = strings.ToValidUTF8(k[:64], "") + "…"
	}
	return fmt.Sprintf("%q", k)
}

// NoDataKeyError reports that none of a message's encrypted data keys could
// be decrypted with the keys Decrypt was given. Errors holds one error per
// attempt, each a [*DataKeyError]; errors.As reaches the KMS exceptions
// among them (AccessDeniedException, IncorrectKeyException …) through
// Unwrap.
type NoDataKeyError struct {
	Errors []error
	// Skipped counts the encrypted data keys no given key could open: of
	// another provider, or for another KMS key.
	Skipped int
	// UnstoredContextKeys are required encryption context keys the message
	// does not store. They are added to the context the data key is bound
	// to, so a data key not bound to them does not decrypt.
	UnstoredContextKeys []string
}

func (e *NoDataKeyError) Error() string {
	var b strings.Builder
	b.WriteString("envelope: no encrypted data key of the message could be decrypted")
	if e.Skipped > 0 {
		fmt.Fprintf(&b, " (%d for other keys or keyrings)", e.Skipped)
	}
	for _, err := range e.Errors {
		b.WriteString("; ")
		b.WriteString(err.Error())
	}
	if len(e.UnstoredContextKeys) > 0 {
		b.WriteString("; the required encryption context keys ")
		for i, k := range e.UnstoredContextKeys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quoteKey(k))
		}
		b.WriteString(" are not stored in the message: if the writer did not authenticate them without storing them, they are not part of its context")
	}
	return b.String()
}

func (e *NoDataKeyError) Unwrap() []error { return e.Errors }

// DataKeyError is one failed attempt to decrypt an encrypted data key.
type DataKeyError struct {
	Index      int    // 1-based, in header order
	ProviderID string // "aws-kms-rsa", "raw-ecdh", "aws-kms-ecdh"
	KeyID      string // the KMS key asked, if any
	Err        error
}

func (e *DataKeyError) Error() string {
	s := fmt.Sprintf("encrypted data key %d (%s", e.Index, e.ProviderID)
	if e.KeyID != "" {
		s += ", " + e.KeyID
	}
	return s + "): " + e.Err.Error()
}

func (e *DataKeyError) Unwrap() error { return e.Err }
