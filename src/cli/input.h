/* input.h — what the CLI reads from people: text files with a size limit,
 * passwords (file, environment or the terminal without echo). */
#ifndef DISSENT_CLI_INPUT_H
#define DISSENT_CLI_INPUT_H

#include "base/buf.h"
#include "base/compat.h"
#include "base/err.h"
#include <stddef.h>

/* Largest text file the CLI reads. */
#define INPUT_FILE_MAX   (1024u * 1024u)
#define INPUT_SECRET_MAX 1024

/* Reads the whole file at path ("-": standard input) into out, refusing more
 * than max bytes, NUL bytes and text that is not UTF-8. out is initialized
 * here; the caller releases it. Returns 0 or -1 with a message naming path. */
int input_read_text(const char *path, size_t max, struct buf *out, struct err *e) WUR;

/* Reads a password from the first line of the file at path ("-": standard
 * input; the line end is dropped) into out (size n). Returns 0, or -1 if unreadable or empty. */
int input_secret_file(const char *path, char *out, size_t n, struct err *e) WUR;

/* Asks on the terminal (/dev/tty): prints prompt and reads one line into out
 * (size n), without echo when secret is set. Returns 0, or -1 when there is no
 * terminal or the answer is empty. */
int input_prompt(const char *prompt, int secret, char *out, size_t n, struct err *e) WUR;

#endif
