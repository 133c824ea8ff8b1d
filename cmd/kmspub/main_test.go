package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kmspub/kmspub/internal/localkmstest"
)

// TestMain lets the scripts run the real kmspub: testscript re-executes this
// test binary as "kmspub", which calls main. With no local-kms configured,
// localkmstest gives the tests one of their own first.
func TestMain(m *testing.M) {
	testscript.Main(localkmstest.Wrap(m), map[string]func(){"kmspub": main})
}

// TestScripts runs testdata/script/*.txt against the kmspub binary. Each
// script sees:
//   - $TESTDATA: the repository's testdata directory (keys, samples);
//   - $KMSPUB_KMS_ENDPOINT and test credentials, when a local-kms is running
//     (scripts/test starts one); the condition [localkms] is true then;
//   - otherwise an AWS configuration that can reach nothing: no config files,
//     no instance metadata, no region.
func TestScripts(t *testing.T) {
	testdata, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	endpoint := os.Getenv("KMSPUB_KMS_ENDPOINT")
	if endpoint == "" && os.Getenv("CI") == "true" {
		t.Error("KMSPUB_KMS_ENDPOINT is not set, but CI=true: the get-public-key scripts need local-kms (run ./scripts/test)")
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("TESTDATA", testdata)
			env.Setenv("AWS_CONFIG_FILE", os.DevNull)
			env.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
			env.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			env.Setenv("AWS_PAGER", "")
			if endpoint != "" {
				env.Setenv("KMSPUB_KMS_ENDPOINT", endpoint)
				for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"} {
					env.Setenv(v, os.Getenv(v))
				}
			}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "localkms":
				return endpoint != "", nil
			}
			return false, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"createkey":  cmdCreateKey,
			"status":     cmdStatus,
			"jsonget":    cmdJSONGet,
			"mlkemdecap": cmdMLKEMDecapsulate,
			"mldsasign":  cmdMLDSASign,
			"esdkheader": cmdESDKHeader,
			"flipbyte":   cmdFlipByte,
			"headbytes":  cmdHeadBytes,
			"jwtsign":    cmdJWTSign,
			"hmacjwt":    cmdHMACJWT,
		},
	})
}

// cmdStatus is the script command "status N PROGRAM ARGS...": it runs
// PROGRAM like exec, keeping its stdout and stderr for the next assertions,
// and requires exit status N — the AWS CLI's statuses are part of kmspub's
// contract, and "! exec" only checks for non-zero.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status N PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = exit.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// cmdCreateKey is the script command "createkey SPEC USAGE VAR": it creates a
// key in local-kms with the AWS SDK and stores its ID in $VAR.
func cmdCreateKey(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: createkey SPEC USAGE VAR")
	}
	id, err := createLocalKMSKey(context.Background(), ts.Getenv("KMSPUB_KMS_ENDPOINT"), args[0], args[1])
	ts.Check(err)
	ts.Setenv(args[2], id)
}

// failingWriter fails every write, like a closed pipe.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestOutputWriteError(t *testing.T) {
	var stderr strings.Builder
	status := run(context.Background(), []string{"verify", "--key-file", filepath.Join("..", "..", "testdata", "sample", "ecc_nist_p256.json"),
		"--message-file", filepath.Join("..", "..", "testdata", "sample", "message.txt"), "--signing-algorithm", "ECDSA_SHA_256",
		"--signature", "fileb://" + filepath.Join("..", "..", "testdata", "sample", "message.txt.ECDSA_SHA_256.sig")}, failingWriter{}, &stderr)
	if status != exitGeneral || stderr.String() != "\nwriting the output: broken pipe\n" {
		t.Errorf("status %d, stderr %q", status, stderr.String())
	}
}
