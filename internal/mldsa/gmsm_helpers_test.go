package mldsa

// Adapters around github.com/emmansun/gmsm/mldsa, the independent
// implementation that the tests compare against.

import (
	"crypto"
	"fmt"
	"io"

	gmldsa "github.com/emmansun/gmsm/mldsa"
)

var allParams = []*Params{MLDSA44, MLDSA65, MLDSA87}

// refVerifier returns gmsm's message-level verifier for raw:
// VerifyWithOptions(sig, msg, &Options{Context: ctx}).
func refVerifier(p *Params, raw []byte) (func(sig, msg, ctx []byte) bool, error) {
	opts := func(ctx []byte) *gmldsa.Options { return &gmldsa.Options{Context: ctx} }
	switch p {
	case MLDSA44:
		k, err := gmldsa.NewPublicKey44(raw)
		if err != nil {
			return nil, err
		}
		return func(sig, msg, ctx []byte) bool { return k.VerifyWithOptions(sig, msg, opts(ctx)) }, nil
	case MLDSA65:
		k, err := gmldsa.NewPublicKey65(raw)
		if err != nil {
			return nil, err
		}
		return func(sig, msg, ctx []byte) bool { return k.VerifyWithOptions(sig, msg, opts(ctx)) }, nil
	case MLDSA87:
		k, err := gmldsa.NewPublicKey87(raw)
		if err != nil {
			return nil, err
		}
		return func(sig, msg, ctx []byte) bool { return k.VerifyWithOptions(sig, msg, opts(ctx)) }, nil
	}
	return nil, fmt.Errorf("unknown parameter set %v", p)
}

// refKey is a gmsm key pair: the encoded public key and a pure ML-DSA signer
// (empty context, hedged with the given randomness).
type refKey struct {
	pub  []byte
	sign func(rand io.Reader, msg []byte) ([]byte, error)
}

type signerWithBytes interface {
	crypto.Signer
	SignMessage(rand io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error)
}

func newRefKey(p *Params, seed []byte) (refKey, error) {
	var (
		s   signerWithBytes
		err error
	)
	switch p {
	case MLDSA44:
		s, err = gmldsa.NewKey44(seed)
	case MLDSA65:
		s, err = gmldsa.NewKey65(seed)
	case MLDSA87:
		s, err = gmldsa.NewKey87(seed)
	default:
		return refKey{}, fmt.Errorf("unknown parameter set %v", p)
	}
	if err != nil {
		return refKey{}, err
	}
	pub := s.Public().(interface{ Bytes() []byte }).Bytes()
	return refKey{
		pub:  pub,
		sign: func(rand io.Reader, msg []byte) ([]byte, error) { return s.SignMessage(rand, msg, nil) },
	}, nil
}
