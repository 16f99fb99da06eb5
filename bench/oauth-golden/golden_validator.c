/*
 * A PostgreSQL 18 OAuth validator module for capturing the server's OAUTHBEARER bytes (see README.md).
 * It accepts exactly one bearer token, GOLDEN_TOKEN, for any role and names the role as the
 * authenticated identity, so that no pg_ident map is needed. Everything else is refused.
 *
 * PostgreSQL's headers are not needed: the few ABI structures a validator touches are declared
 * here by hand after PostgreSQL 18's src/include/fmgr.h and src/include/libpq/oauth.h. The server
 * checks the magic block byte for byte when it loads the module, so a mismatch fails loudly.
 *
 * Build: gcc -shared -fPIC -O2 -Wall -o golden_validator.so golden_validator.c
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define GOLDEN_TOKEN "pgwarden-golden-token"

/* The server's allocator: the identity must live in the server's memory context. */
extern char *pstrdup(const char *in);

/* fmgr.h of PostgreSQL 18: values the server compares with memcmp() before it uses a module. */
struct golden_abi_values {
    int version;          /* major version: PG_VERSION_NUM / 100 */
    int funcmaxargs;      /* FUNC_MAX_ARGS */
    int indexmaxkeys;     /* INDEX_MAX_KEYS */
    int namedatalen;      /* NAMEDATALEN */
    int float8byval;      /* FLOAT8PASSBYVAL */
    char abi_extra[32];   /* FMGR_ABI_EXTRA */
};

struct golden_magic {
    int len;
    struct golden_abi_values abi_fields;
    const char *name;
    const char *version;
};

/* oauth.h of PostgreSQL 18. */
struct golden_validator_state {
    int sversion;
    void *private_data;
};

struct golden_validator_result {
    bool authorized;
    char *authn_id;
};

struct golden_validator_callbacks {
    uint32_t magic;
    void (*startup_cb)(struct golden_validator_state *state);
    void (*shutdown_cb)(struct golden_validator_state *state);
    bool (*validate_cb)(const struct golden_validator_state *state, const char *token, const char *role,
                        struct golden_validator_result *result);
};

#define GOLDEN_OAUTH_VALIDATOR_MAGIC 0x20250220

const struct golden_magic *Pg_magic_func(void);
const struct golden_validator_callbacks *_PG_oauth_validator_module_init(void);

const struct golden_magic *Pg_magic_func(void)
{
    static const struct golden_magic magic = {
        .len = sizeof(struct golden_magic),
        .abi_fields = {1800, 100, 32, 64, 1, "PostgreSQL"},
        .name = "golden_validator",
        .version = "1",
    };
    return &magic;
}

static bool golden_validate(const struct golden_validator_state *state, const char *token, const char *role,
                            struct golden_validator_result *result)
{
    (void) state;
    result->authorized = strcmp(token, GOLDEN_TOKEN) == 0;
    /* The role itself is the identity, so the default "authn_id equals role" check passes. */
    result->authn_id = result->authorized ? pstrdup(role) : NULL;
    /* true: validation ran; whether the token is good is in result->authorized. */
    return true;
}

const struct golden_validator_callbacks *_PG_oauth_validator_module_init(void)
{
    static const struct golden_validator_callbacks callbacks = {
        .magic = GOLDEN_OAUTH_VALIDATOR_MAGIC,
        .startup_cb = NULL,
        .shutdown_cb = NULL,
        .validate_cb = golden_validate,
    };
    return &callbacks;
}
