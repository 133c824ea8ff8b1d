package kmspubtest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/smithy-go"
)

// WantAPIError fails t unless err is the KMS exception code with exactly
// message, as code written against *kms.Client sees it (see WantCode for
// what that means). code "" wants no error at all. It returns the API
// error.
//
// For a modelled exception, message "" means the answer KMS sends without a
// message member (KMSInvalidSignatureException, and the others of
// docs/KMS-RULES.md §13): the SDK then leaves the Message field nil, and so
// must kmspub.
func WantAPIError(t testing.TB, err error, code, message string) smithy.APIError {
	t.Helper()
	api := WantCode(t, err, code)
	if api != nil && api.ErrorMessage() != message {
		t.Fatalf("got %s %q, want message %q", code, api.ErrorMessage(), message)
	}
	if api != nil && message == "" && modelledExceptions[code] {
		if field := reflect.ValueOf(api).Elem().FieldByName("Message"); field.IsValid() && !field.IsNil() {
			t.Fatalf("%s has Message %q, not nil as the SDK decodes an answer without a message member", code, field.Elem().String())
		}
	}
	return api
}

// WantCode fails t unless err is the KMS exception code, whatever its
// message, as code written against *kms.Client sees it:
//
//   - errors.As finds a smithy.APIError with that code;
//   - for an exception the SDK models (kms/types), it is that concrete
//     type, so errors.As(err, &*types.InvalidKeyUsageException) works;
//     for one it does not (ValidationException, AccessDeniedException,
//     ThrottlingException…), a *smithy.GenericAPIError;
//   - ErrorFault() is what the SDK gives the code: a modelled exception's
//     is its generated method's (the type decides it); an unmodelled one
//     (ValidationException, AccessDeniedException…) has smithy.FaultUnknown,
//     since smithy-go's awsJson decoder sets a fault only for
//     query-compatible services, which KMS is not (docs/KMS-RULES.md §10b).
//
// code "" wants no error at all (and returns nil).
func WantCode(t testing.TB, err error, code string) smithy.APIError {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("got %v, want no error", err)
		}
		return nil
	}
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("got %v (%T), want %s", err, err, code)
	}
	if api.ErrorCode() != code {
		t.Fatalf("got %s %q, want %s", api.ErrorCode(), api.ErrorMessage(), code)
	}
	if modelledExceptions[code] {
		if typ := reflect.TypeOf(api); typ.Kind() != reflect.Pointer || typ.Elem().PkgPath() != kmsTypes || typ.Elem().Name() != code {
			t.Fatalf("%s is a %T, want *types.%s", code, api, code)
		}
		return api
	}
	generic, ok := api.(*smithy.GenericAPIError)
	if !ok {
		t.Fatalf("%s is a %T, want *smithy.GenericAPIError", code, api)
	}
	if generic.Fault != smithy.FaultUnknown {
		t.Fatalf("%s has fault %v, want unknown, as the SDK decodes it", code, generic.Fault)
	}
	return api
}

// WantOperation fails t unless err is wrapped, as *kms.Client wraps every
// error, in a *smithy.OperationError for service KMS and operation op —
// once: no second OperationError inside (such as GetPublicKey's).
func WantOperation(t testing.TB, err error, op string) {
	t.Helper()
	var opErr *smithy.OperationError
	if !errors.As(err, &opErr) || opErr.ServiceID != "KMS" || opErr.OperationName != op {
		t.Fatalf("error %v (%T) is not an OperationError for KMS %s", err, err, op)
	}
	var inner *smithy.OperationError
	if errors.As(opErr.Err, &inner) {
		t.Fatalf("error %v wraps a second OperationError (%s)", err, inner.OperationName)
	}
}

// ErrorCode returns the API error code of err: "" for nil, the type for an
// error that is not a smithy.APIError. It is for tests that compare
// outcomes without failing at once.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return fmt.Sprintf("%T", err)
}

const kmsTypes = "github.com/aws/aws-sdk-go-v2/service/kms/types"

// modelledExceptions are the exceptions the KMS API model defines, which
// the SDK returns as *types.<Code> (aws-sdk-go-v2/service/kms/types).
var modelledExceptions = map[string]bool{
	"AlreadyExistsException": true, "CloudHsmClusterInUseException": true, "CloudHsmClusterNotActiveException": true,
	"CloudHsmClusterNotFoundException": true, "ConflictException": true, "CustomKeyStoreHasCMKsException": true,
	"CustomKeyStoreNameInUseException": true, "CustomKeyStoreNotFoundException": true, "DependencyTimeoutException": true,
	"DisabledException": true, "DryRunOperationException": true, "ExpiredImportTokenException": true,
	"IncorrectKeyException": true, "IncorrectKeyMaterialException": true, "IncorrectTrustAnchorException": true,
	"InvalidAliasNameException": true, "InvalidArnException": true, "InvalidCiphertextException": true,
	"InvalidGrantIdException": true, "InvalidGrantTokenException": true, "InvalidImportTokenException": true,
	"InvalidKeyUsageException": true, "InvalidMarkerException": true, "KeyUnavailableException": true,
	"KMSInternalException": true, "KMSInvalidMacException": true, "KMSInvalidSignatureException": true,
	"KMSInvalidStateException": true, "LimitExceededException": true, "MalformedPolicyDocumentException": true,
	"NotFoundException": true, "TagException": true, "UnsupportedOperationException": true,
	"XksKeyAlreadyInUseException": true, "XksKeyNotFoundException": true, "XksProxyInvalidResponseException": true,
	"XksProxyUriEndpointInUseException": true, "XksProxyUriInUseException": true, "XksProxyUriUnreachableException": true,
}
