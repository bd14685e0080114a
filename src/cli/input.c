/* input.c — reading text files and secrets. */
#include "cli/input.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/util.h"

int input_read_text(const char *path, size_t max, struct buf *out, struct err *e)
{
    int rc = -1;
    FILE *f = NULL;
    char chunk[8192];
    size_t n;
    const char *name = strcmp(path, "-") == 0 ? "standard input" : path;

    buf_init(out, max);
    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        err_set(e, ERR_IO, "cannot read %s: %s", path, strerror(errno));
        goto out;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf_append(out, chunk, n, e) != 0) {
            err_set(e, ERR_TOO_LARGE, "%s is larger than the limit of %zu bytes", name, max);
            goto out;
        }
    }
    if (ferror(f)) {
        err_set(e, ERR_IO, "cannot read %s: %s", name, strerror(errno));
        goto out;
    }
    if (!utf8_valid(buf_str(out), out->len)) {
        err_set(e, ERR_INVALID, "%s is not UTF-8 text (or holds a NUL byte)", name);
        goto out;
    }
    rc = 0;
out:
    if (f && f != stdin)
        fclose(f);
    if (rc != 0)
        buf_release(out);
    return rc;
}

/* Drops a trailing "\n" or "\r\n". */
static void chomp(char *s)
{
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
        s[--len] = '\0';
}

int input_secret_file(const char *path, char *out, size_t n, struct err *e)
{
    int rc = -1;
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "r");
    if (!f) {
        err_set(e, ERR_IO, "cannot read the password file %s: %s", path, strerror(errno));
        goto out;
    }
    if (!fgets(out, (int)n, f)) {
        err_set(e, ERR_INVALID, "the password file %s is empty", path);
        goto out;
    }
    if (strlen(out) == n - 1 && out[n - 2] != '\n') {
        err_set(e, ERR_TOO_LARGE, "the password in %s is longer than %zu bytes", path, n - 2);
        goto out;
    }
    chomp(out);
    if (!out[0]) {
        err_set(e, ERR_INVALID, "the password file %s starts with an empty line", path);
        goto out;
    }
    rc = 0;
out:
    if (f && !is_stdin)
        fclose(f);
    if (rc != 0)
        sodium_memzero(out, n);
    return rc;
}

int input_prompt(const char *prompt, int secret, char *out, size_t n, struct err *e)
{
    int rc = -1;
    FILE *tty = fopen("/dev/tty", "r+");
    struct termios old, quiet;
    int restore = 0;

    if (!tty) {
        err_set(e, ERR_INVALID, "no terminal to ask on: %s",
                secret ? "use --password-file or DISSENT_PASSWORD" : "give it as an option");
        goto out;
    }
    if (secret && tcgetattr(fileno(tty), &old) == 0) {
        quiet = old;
        quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        if (tcsetattr(fileno(tty), TCSAFLUSH, &quiet) == 0)
            restore = 1;
    }
    fputs(prompt, tty);
    fflush(tty);
    if (!fgets(out, (int)n, tty)) {
        err_set(e, ERR_INVALID, "no answer read from the terminal");
        goto out;
    }
    chomp(out);
    if (!out[0]) {
        err_set(e, ERR_INVALID, "an empty answer is not allowed");
        goto out;
    }
    rc = 0;
out:
    if (restore) {
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
        fputs("\n", tty);
    }
    if (tty)
        fclose(tty);
    if (rc != 0)
        sodium_memzero(out, n);
    return rc;
}
