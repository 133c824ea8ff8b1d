// Package interop checks kmspub's envelope messages against code nobody on
// the kmspub team wrote: the official AWS Encryption SDK for Go
// (github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk) and its
// Material Providers Library, talking to KMS through the real
// aws-sdk-go-v2 client.
//
// It is a module of its own so that the Encryption SDK's runtime never
// enters the build of a program that imports kmspub. There is nothing here
// but tests and benchmarks; ./scripts/test runs them, with local-kms.
package interop
