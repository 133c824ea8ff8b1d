package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub"
)

// Exit statuses, the AWS CLI version 2 return codes
// (https://docs.aws.amazon.com/cli/latest/topic/return-codes.html), so that
// scripts written for `aws kms` branch on kmspub's statuses unchanged.
const (
	exitOK = 0
	// exitParam: the command line was invalid — unknown option, missing or
	// malformed argument, a parameter file or key file that cannot be read
	// or parsed. The AWS CLI's ParamValidationError / ParamError class.
	exitParam = 252
	// exitConfig: no region or no credentials for an online call.
	exitConfig = 253
	// exitService: the request was well formed and KMS (online) or kmspub
	// (offline, in KMS's place) refused it with a KMS exception.
	exitService = 254
	// exitGeneral: anything else, e.g. no connection to KMS, or a value that
	// is not base64 (the AWS CLI's InvalidBase64Error ends here too).
	exitGeneral = 255
)

// cliError is an error with the exit status and the exact stderr text
// (without the blank line the AWS CLI prints before it) that main reports.
type cliError struct {
	status int
	text   string
}

func (e *cliError) Error() string { return e.text }

// usageText is the AWS CLI's USAGE block with kmspub's names.
const usageText = `usage: kmspub <command> [parameters]
To see help text, you can run:

  kmspub help
  kmspub <command> help
`

// usageError is argparse's error in the AWS CLI's form: the usage block,
// a blank line, then "kmspub: error: <msg>".
func usageError(format string, args ...any) error {
	return &cliError{exitParam, usageText + "\nkmspub: error: " + fmt.Sprintf(format, args...)}
}

// unknownOptionsError is the AWS CLI's UnknownArgumentError.
func unknownOptionsError(unknown []string) error {
	return &cliError{exitParam, usageText + "\nUnknown options: " + strings.Join(unknown, ", ")}
}

// paramError is the AWS CLI's ParamError: "Error parsing parameter
// '--name': <reason>".
func paramError(name, reason string) error {
	return &cliError{exitParam, fmt.Sprintf("Error parsing parameter '--%s': %s", name, reason)}
}

// operationError formats err from the KMS operation op (offline or online)
// as the AWS CLI does. A smithy.APIError — every refusal kmspub makes in
// KMS's place, and every error KMS itself returned — becomes botocore's
// ClientError line, "An error occurred (<Code>) when calling the <Op>
// operation: <Message>", exit status 254.
func operationError(op string, err error) error {
	var ce *cliError
	if errors.As(err, &ce) {
		return ce
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		// A key without an ARN (a bare --key-file without --key-arn) leaves
		// KMS's "<arn> key usage is …" with nothing before the space.
		msg := api.ErrorMessage()
		if trimmed := strings.TrimLeft(msg, " "); trimmed != "" {
			msg = trimmed
		}
		return &cliError{exitService, fmt.Sprintf("An error occurred (%s) when calling the %s operation: %s", api.ErrorCode(), op, msg)}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// The AWS CLI's EndpointConnectionError.
		return &cliError{exitGeneral, fmt.Sprintf("Could not connect to the endpoint URL: %q", ue.URL)}
	}
	return &cliError{exitGeneral, err.Error()}
}

// keyFileError reports a --key-file kmspub cannot use as a parameter error:
// the problem is in a local file the caller named, as with the AWS CLI's
// "Unable to load paramfile".
func keyFileError(err error) error {
	return paramError("key-file", withoutKeyID(err).Error())
}

// withoutKeyID is err without the KeyId it quotes when the KeyId is not a
// key ARN: a key file's KeyId (up to 256 characters of whatever the file
// holds) is not repeated back.
func withoutKeyID(err error) error {
	var ik *kmspub.InvalidKeyError
	if errors.As(err, &ik) && ik.Field == "KeyId" && ik.Reason != "is missing" {
		return fmt.Errorf("%w: KeyId is not a KMS key ARN (arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID)", kmspub.ErrInvalidKey)
	}
	return err
}

// report writes err to stderr as the AWS CLI does — a blank line, the
// message, a newline — and returns the exit status.
func report(stderr io.Writer, err error) int {
	var ce *cliError
	if !errors.As(err, &ce) {
		ce = &cliError{exitGeneral, err.Error()}
	}
	fmt.Fprintf(stderr, "\n%s\n", ce.text)
	return ce.status
}
