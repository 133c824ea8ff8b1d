package main

import (
	"crypto"
	"crypto/mlkem"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"strings"

	gmsmmldsa "github.com/emmansun/gmsm/mldsa"
	gmsmmlkem "github.com/emmansun/gmsm/mlkem"
	"github.com/rogpeppe/go-internal/testscript"
)

// Script commands that stand in for tools the machine lacks. None of them
// uses kmspub: they read its output or play the KMS side independently.

// cmdJSONGet is "jsonget [-d] MEMBER FILE": it writes the string member
// MEMBER of the JSON object on the last command's stdout to FILE, base64
// decoded with -d. It fails if the member is missing or not a string.
func cmdJSONGet(ts *testscript.TestScript, neg bool, args []string) {
	decode := len(args) > 0 && args[0] == "-d"
	if decode {
		args = args[1:]
	}
	if neg || len(args) != 2 {
		ts.Fatalf("usage: jsonget [-d] MEMBER FILE")
	}
	var obj map[string]any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile("stdout")), &obj))
	s, ok := obj[args[0]].(string)
	if !ok {
		ts.Fatalf("stdout has no string member %q", args[0])
	}
	data := []byte(s)
	if decode {
		var err error
		data, err = base64.StdEncoding.Strict().DecodeString(s)
		ts.Check(err)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), data, 0o644))
}

// cmdMLKEMDecapsulate is "mlkemdecap SPEC SEEDFILE CTFILE OUTFILE": KMS
// Decapsulate's part, with the 64-byte seed (hex) of testdata/keys/SPEC.seed,
// using crypto/mlkem (768, 1024) and gmsm's mlkem (512).
func cmdMLKEMDecapsulate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: mlkemdecap SPEC SEEDFILE CTFILE OUTFILE")
	}
	seed, err := hex.DecodeString(strings.TrimSpace(ts.ReadFile(args[1])))
	ts.Check(err)
	ct := []byte(ts.ReadFile(args[2]))
	var secret []byte
	switch args[0] {
	case "ML_KEM_512":
		dk, err := gmsmmlkem.NewDecapsulationKeyFromSeed512(seed)
		ts.Check(err)
		secret, err = dk.Decapsulate(ct)
		ts.Check(err)
	case "ML_KEM_768":
		dk, err := mlkem.NewDecapsulationKey768(seed)
		ts.Check(err)
		secret, err = dk.Decapsulate(ct)
		ts.Check(err)
	case "ML_KEM_1024":
		dk, err := mlkem.NewDecapsulationKey1024(seed)
		ts.Check(err)
		secret, err = dk.Decapsulate(ct)
		ts.Check(err)
	default:
		ts.Fatalf("mlkemdecap: unknown spec %s", args[0])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[3]), secret, 0o644))
}

// cmdMLDSASign is "mldsasign SPEC SEEDFILE MSGFILE SIGFILE": KMS Sign's part
// for an ML-DSA key (RAW message, empty context), with gmsm's mldsa and the
// 32-byte seed (hex) of testdata/keys/SPEC.seed.
func cmdMLDSASign(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: mldsasign SPEC SEEDFILE MSGFILE SIGFILE")
	}
	seed, err := hex.DecodeString(strings.TrimSpace(ts.ReadFile(args[1])))
	ts.Check(err)
	var signer interface {
		SignMessage(io.Reader, []byte, crypto.SignerOpts) ([]byte, error)
	}
	switch args[0] {
	case "ML_DSA_44":
		signer, err = gmsmmldsa.NewKey44(seed)
	case "ML_DSA_65":
		signer, err = gmsmmldsa.NewKey65(seed)
	case "ML_DSA_87":
		signer, err = gmsmmldsa.NewKey87(seed)
	default:
		ts.Fatalf("mldsasign: unknown spec %s", args[0])
	}
	ts.Check(err)
	sig, err := signer.SignMessage(rand.Reader, []byte(ts.ReadFile(args[2])), &gmsmmldsa.Options{})
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[3]), sig, 0o644))
}
