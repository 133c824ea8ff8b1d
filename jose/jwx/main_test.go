package jwx_test

import (
	"testing"

	"github.com/kmspub/kmspub/internal/localkmstest"
)

// TestMain gives the TestLocalKMS* tests a local-kms server of their own
// when none is configured, so that a plain go test runs them too.
func TestMain(m *testing.M) { localkmstest.Main(m) }
