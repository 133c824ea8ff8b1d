package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Blob arguments (--message, --signature, --plaintext) are read as the AWS
// CLI version 2 reads them with its default --cli-binary-format base64:
//
//	fileb://PATH  the file's bytes, as they are
//	file://PATH   the file's text, which must be base64 (as in AWS CLI v2)
//	anything else base64 text
//
// Base64 is the standard alphabet with padding; line breaks (as `base64`
// writes them) and surrounding whitespace are ignored. Unlike Python's
// lenient decoder behind the AWS CLI, spaces inside the text and other
// characters outside the alphabet (e.g. base64url's '-' and '_') are refused
// rather than silently dropped.
const (
	prefixFileBinary = "fileb://"
	prefixFileText   = "file://"
)

// maxParamFileSize bounds what a fileb:// or file:// argument may hold.
// No KMS request member is larger than 8 KiB; a larger input to sign or
// verify is streamed with verify --message-file instead.
const maxParamFileSize = 1 << 20

// binaryFormat is the --cli-binary-format in force (run sets it for the
// command it runs): "base64", or "raw-in-base64-out", with which a blob
// given as a value or through file:// is the text's own bytes, as in AWS
// CLI version 2 (and version 1).
var binaryFormat = "base64"

// parseBlob returns the bytes a blob argument stands for. name is the option
// name without dashes, used in errors. Errors never quote value: it may be
// plaintext the caller forgot to encode.
func parseBlob(name, value string) ([]byte, error) {
	raw := binaryFormat == "raw-in-base64-out"
	switch {
	case strings.HasPrefix(value, prefixFileBinary):
		return readParamFile(value, name)
	case strings.HasPrefix(value, prefixFileText):
		text, err := readParamFile(value, name)
		if err != nil || raw {
			return text, err
		}
		return decodeBase64(string(text), "the file "+value+" given to --"+name)
	case raw:
		return []byte(value), nil
	}
	return decodeBase64(value, "the value of --"+name)
}

// readParamFile reads the file a fileb:// or file:// argument names.
func readParamFile(arg, name string) ([]byte, error) {
	fail := func(err error) error {
		return paramError(name, fmt.Sprintf("Unable to load paramfile %s: %v", arg, err))
	}
	path, err := paramPath(arg)
	if err != nil {
		return nil, fail(err)
	}
	data, err := readFileLimited(path, maxParamFileSize)
	if errors.Is(err, errTooLarge) {
		return nil, fail(fmt.Errorf("larger than %d bytes (to verify a large input, use verify --message-file)", maxParamFileSize))
	}
	if err != nil {
		return nil, fail(err)
	}
	return data, nil
}

// decodeBase64 decodes standard, padded base64. Line breaks, and
// whitespace around the text, are ignored; spaces inside it are not, so that
// unencoded text such as "attack at dawn" is refused instead of being read
// as the base64 "attackatdawn". what names the text in the error, e.g. "the
// value of --message".
func decodeBase64(text, what string) ([]byte, error) {
	// encoding/base64 itself skips '\r' and '\n'.
	data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil {
		// The AWS CLI's InvalidBase64Error: a general error, exit status 255.
		return nil, &cliError{exitGeneral, fmt.Sprintf("Invalid base64: %s is not base64 text (%v); give raw bytes with fileb://PATH", what, err)}
	}
	return data, nil
}
