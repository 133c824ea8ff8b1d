package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"math/big"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kmspub/kmspub/internal/josetest"
)

// Script commands for the JOSE scripts. They sign with the test private
// keys through internal/josetest (the standard library, decred, gmsm),
// never through kmspub's own JOSE code.

// scriptTB lets josetest's helpers fail a script. It embeds a nil
// testing.TB only to have its unexported method; the helpers call Helper,
// Fatal and Fatalf, which it routes to the script.
type scriptTB struct {
	testing.TB
	ts *testscript.TestScript
}

func (s scriptTB) Helper()                           {}
func (s scriptTB) Fatal(args ...any)                 { s.ts.Fatalf("%s", fmt.Sprint(args...)) }
func (s scriptTB) Fatalf(format string, args ...any) { s.ts.Fatalf(format, args...) }

// nowExpr matches NOW, NOW+N and NOW-N (seconds) in claims.
var nowExpr = regexp.MustCompile(`NOW([+-][0-9]+)?`)

// cmdJWTSign is "jwtsign [-sig der|short|long] SPEC ALG HEADER CLAIMS OUT":
// it signs the JWS with protected header HEADER (JSON text, written as
// given) and payload CLAIMS (JSON text, NOW±N replaced by the time in
// seconds) with the private test key of SPEC under algorithm ALG, and
// writes the compact JWS to OUT. -sig spoils an ECDSA signature: DER
// instead of R ‖ S, or one byte short or long.
func cmdJWTSign(ts *testscript.TestScript, neg bool, args []string) {
	spoil := ""
	if len(args) > 1 && args[0] == "-sig" {
		spoil, args = args[1], args[2:]
	}
	if neg || len(args) != 5 {
		ts.Fatalf("usage: jwtsign [-sig der|short|long] SPEC ALG HEADER CLAIMS OUT")
	}
	now := time.Now().Unix()
	claims := nowExpr.ReplaceAllStringFunc(args[3], func(m string) string {
		n := now
		if len(m) > 3 {
			d, _ := strconv.ParseInt(m[3:], 10, 64)
			n += d
		}
		return strconv.FormatInt(n, 10)
	})
	tok := josetest.CompactRaw(scriptTB{ts: ts}, types.KeySpec(args[0]), args[1], []byte(args[2]), []byte(claims))
	if spoil != "" {
		i := strings.LastIndexByte(tok, '.')
		sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
		ts.Check(err)
		size := len(sig) / 2
		switch spoil {
		case "der":
			sig, err = asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])})
			ts.Check(err)
		case "short":
			sig = sig[1:]
		case "long":
			sig = append([]byte{0}, sig...)
		default:
			ts.Fatalf("jwtsign: -sig %s", spoil)
		}
		tok = tok[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[4]), []byte(tok+"\n"), 0o644))
}

// cmdHMACJWT is "hmacjwt SECRETFILE OUT": an HS256 JWT {"sub":"admin"}
// whose HMAC key is the bytes of SECRETFILE — the algorithm-confusion
// attack, when the file holds a public key.
func cmdHMACJWT(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: hmacjwt SECRETFILE OUT")
	}
	secret := []byte(ts.ReadFile(args[0]))
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(`{"sub":"admin"}`))
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(input))
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(input+"."+enc.EncodeToString(m.Sum(nil))), 0o644))
}
