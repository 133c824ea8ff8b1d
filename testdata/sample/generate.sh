#!/usr/bin/env bash
# Regenerates testdata/sample: a key saved with `aws kms get-public-key` and a
# signature made by `aws kms sign`, both from a running local-kms
# (github.com/nsmithuk/local-kms). The README's main-job command verifies them
# offline. Usage: KMSPUB_KMS_ENDPOINT=http://127.0.0.1:PORT testdata/sample/generate.sh
set -euo pipefail
cd "$(dirname "$0")"
: "${KMSPUB_KMS_ENDPOINT:?start local-kms and set KMSPUB_KMS_ENDPOINT}"
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-eu-west-2}
kms() { aws --endpoint-url "$KMSPUB_KMS_ENDPOINT" kms "$@"; }

printf 'kmspub: verify AWS KMS signatures offline.\n' > message.txt
key=$(kms create-key --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --query KeyMetadata.KeyId --output text)
kms get-public-key --key-id "$key" > ecc_nist_p256.json
kms sign --key-id "$key" --message fileb://message.txt --message-type RAW \
  --signing-algorithm ECDSA_SHA_256 --query Signature --output text | base64 --decode > message.txt.ECDSA_SHA_256.sig

key=$(kms create-key --key-spec RSA_2048 --key-usage SIGN_VERIFY --query KeyMetadata.KeyId --output text)
kms get-public-key --key-id "$key" > rsa_2048.json
kms sign --key-id "$key" --message fileb://message.txt --message-type RAW \
  --signing-algorithm RSASSA_PKCS1_V1_5_SHA_256 --query Signature --output text | base64 --decode > message.txt.RSASSA_PKCS1_V1_5_SHA_256.sig
