module github.com/kmspub/kmspub/jose/golangjwt

go 1.26

require (
	github.com/aws/aws-sdk-go-v2/service/kms v1.62.6
	github.com/golang-jwt/jwt/v5 v5.3.1
	github.com/kmspub/kmspub v0.0.0
)

require (
	github.com/aws/aws-sdk-go-v2 v1.48.0 // indirect
	github.com/aws/aws-sdk-go-v2/internal/configsources v1.5.12 // indirect
	github.com/aws/aws-sdk-go-v2/internal/endpoints/v2 v2.8.12 // indirect
	github.com/aws/smithy-go v1.28.9 // indirect
	github.com/decred/dcrd/dcrec/secp256k1/v4 v4.4.1 // indirect
	github.com/emmansun/gmsm v0.44.1 // indirect
	golang.org/x/crypto v0.54.0 // indirect
)

replace github.com/kmspub/kmspub => ../..
