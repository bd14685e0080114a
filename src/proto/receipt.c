/* receipt.c — signing and checking receipts of anonymous actions. */
#include "proto/receipt.h"

#include "base/util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char receipt_prefix[] = "dissent-receipt-v2\n";

/* The signed bytes, malloc'd; NULL when out of memory. */
static char *receipt_message(const json_t *receipt, size_t *len)
{
    char *body = json_dumps(receipt, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    char *msg = body ? malloc(sizeof receipt_prefix + strlen(body)) : NULL;
    if (msg) {
        memcpy(msg, receipt_prefix, sizeof receipt_prefix - 1);
        memcpy(msg + sizeof receipt_prefix - 1, body, strlen(body) + 1);
        *len = strlen(msg);
    }
    free(body);
    return msg;
}

int proto_receipt_sign(const json_t *receipt, const unsigned char sk[64],
                       char sig[PROTO_RECEIPT_SIG_B64], struct err *e)
{
    size_t len = 0;
    unsigned char raw[crypto_sign_BYTES];
    char *msg = receipt_message(receipt, &len);
    if (!msg)
        return err_set(e, ERR_NOMEM, "out of memory");
    crypto_sign_detached(raw, NULL, (const unsigned char *)msg, len, sk);
    sodium_bin2base64(sig, PROTO_RECEIPT_SIG_B64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    free(msg);
    return 0;
}

int proto_receipt_verify(const json_t *receipt, const char *sig, const unsigned char pk[32],
                         struct err *e)
{
    int rc = -1;
    size_t len = 0, rawlen = 0;
    unsigned char raw[crypto_sign_BYTES];
    const char *by = json_string_value(json_object_get(receipt, "publish_by"));
    int64_t t;
    char *msg = NULL;

    if (!json_is_object(receipt) || json_integer_value(json_object_get(receipt, "v")) != 2 ||
        !json_is_string(json_object_get(receipt, "kind")) ||
        strcmp(json_string_value(json_object_get(receipt, "kind")), "receipt") != 0 || !by ||
        time_parse_utc(by, &t) != 0) {
        rc = err_set(e, ERR_INVALID, "not a receipt of protocol v2");
        goto out;
    }
    if (!sig ||
        sodium_base642bin(raw, sizeof raw, sig, strlen(sig), NULL, &rawlen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        rawlen != sizeof raw) {
        rc = err_set(e, ERR_CRYPTO, "the receipt's signature does not verify (not 64 bytes)");
        goto out;
    }
    msg = receipt_message(receipt, &len);
    if (!msg) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (crypto_sign_verify_detached(raw, (const unsigned char *)msg, len, pk) != 0) {
        rc = err_set(e, ERR_CRYPTO, "the receipt's signature does not verify with the log key");
        goto out;
    }
    rc = 0;
out:
    free(msg);
    return rc;
}
